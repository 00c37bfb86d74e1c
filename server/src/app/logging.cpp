#include "app/logging.h"

#include <QString>

namespace hms::server {

void installLogFormat()
{
    qSetMessagePattern(QStringLiteral(
        "%{time yyyy-MM-ddTHH:mm:ss.zzz} %{if-debug}DEBUG%{endif}%{if-info}INFO%{endif}"
        "%{if-warning}WARN%{endif}%{if-critical}ERROR%{endif}%{if-fatal}FATAL%{endif} "
        "%{category}: %{message}"));
}

} // namespace hms::server

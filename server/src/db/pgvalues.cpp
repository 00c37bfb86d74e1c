#include "db/pgvalues.h"

#include <pqxx/result>

namespace hms::server {

QString fieldText(const pqxx::field &field)
{
    return field.is_null() ? QString() : QString::fromUtf8(field.c_str());
}

std::optional<qint64> optionalId(const pqxx::field &field)
{
    if (field.is_null())
        return std::nullopt;
    return field.as<qint64>();
}

std::string arrayParam(const std::vector<qint64> &values)
{
    std::string text = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i)
            text += ',';
        text += std::to_string(values[i]);
    }
    return text + '}';
}

std::string arrayParam(const QStringList &values)
{
    std::string text = "{";
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i)
            text += ',';
        text += '"';
        for (const char c : values[i].toStdString()) {
            if (c == '"' || c == '\\')
                text += '\\';
            text += c;
        }
        text += '"';
    }
    return text + '}';
}

} // namespace hms::server

#include "admin/admincli.h"
#include "app/logging.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    hms::server::installLogFormat();
    QTextStream out(stdout);
    QTextStream err(stderr);
    QTextStream in(stdin);
    QStringList arguments = QCoreApplication::arguments();
    arguments.removeFirst();
    const int code = hms::server::admin::runAdminCli(arguments, out, err, in);
    out.flush();
    err.flush();
    return code;
}

#include "health/healthroutes.h"

#include "db/dberrors.h"
#include "db/dbsession.h"
#include "db/migrator.h"
#include "http/router.h"
#include "shared/core/buildinfo.h"
#include "shared/protocol/apipaths.h"

#include <QJsonObject>

#include <pqxx/connection>

namespace hms::server {

namespace {

HttpResponse health(RequestContext &context)
{
    // Two tries: the first use of a connection PostgreSQL dropped (restart) fails even
    // though the database is back; a fresh connection tells the truth.
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            const int schemaVersion = Migrator::schemaVersion(context.db.connection());
            return HttpResponse::json(200,
                                      {{QStringLiteral("status"), QStringLiteral("ok")},
                                       {QStringLiteral("database"), QStringLiteral("ok")},
                                       {QStringLiteral("schemaVersion"), schemaVersion},
                                       {QStringLiteral("version"), QLatin1String(Version)}});
        } catch (...) {
            const DbFailure failure = classifyDbFailure(std::current_exception());
            context.db.reset();
            if (failure.kind != DbFailure::Kind::Unavailable || attempt == 1) {
                Problem problem =
                    Problem::fromType(problems::DatabaseUnavailable,
                                      QStringLiteral("The database cannot be reached"));
                problem.extensions = {{QStringLiteral("status"), QStringLiteral("unavailable")},
                                      {QStringLiteral("database"), QStringLiteral("down")},
                                      {QStringLiteral("version"), QLatin1String(Version)}};
                HttpResponse response = HttpResponse::problem(problem);
                response.setHeader("Retry-After", "5");
                return response;
            }
        }
    }
    Q_UNREACHABLE();
    return {};
}

} // namespace

void registerHealthRoutes(Router &router)
{
    router.add({"GET", QLatin1String(api::Health), RouteAccess::publicRoute(), health});
}

} // namespace hms::server

#include "db/dberrors.h"

#include "common/domainerror.h"

#include <pqxx/except>

#include <typeinfo>

namespace hms::server {

bool isConnectionLoss(const std::string &sqlstate)
{
    return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02"
        || sqlstate == "57P03";
}

Problem DbFailure::problem() const
{
    switch (kind) {
    case Kind::Unavailable:
        return Problem::fromType(problems::DatabaseUnavailable,
                                 QStringLiteral("The database cannot be reached; retry shortly"));
    case Kind::Busy:
        return Problem::fromType(problems::ServiceUnavailable,
                                 QStringLiteral("The database is busy; retry shortly"));
    case Kind::Conflict:
        return Problem::fromType(problems::Conflict,
                                 QStringLiteral("The change conflicts with existing data"));
    case Kind::Invalid:
        return Problem::fromType(problems::ValidationFailed,
                                 QStringLiteral("The change breaks a data rule"));
    case Kind::Internal:
        break;
    }
    return Problem::fromType(problems::InternalError);
}

DbFailure classifyDbFailure(std::exception_ptr error)
{
    DbFailure failure;
    auto describe = [](const std::exception &e, const std::string &sqlstate = {}) {
        QString text = QString::fromLatin1(typeid(e).name());
        if (!sqlstate.empty())
            text += QStringLiteral(" sqlstate=") + QString::fromStdString(sqlstate);
        return text;
    };
    try {
        std::rethrow_exception(error);
    } catch (const pqxx::broken_connection &e) {
        // Nothing was committed (in_doubt_error is separate), so one retry on a new
        // connection is safe: it hides a PostgreSQL restart from the user.
        failure = {DbFailure::Kind::Unavailable, true, 1, describe(e)};
    } catch (const pqxx::in_doubt_error &e) {
        failure = {DbFailure::Kind::Unavailable, true, 0, describe(e)};
    } catch (const pqxx::transaction_rollback &e) {
        // serialization_failure, deadlock_detected: in 6.4.5 these carry no sqlstate.
        failure = {DbFailure::Kind::Busy, false, 3, describe(e)};
    } catch (const pqxx::unique_violation &e) {
        failure = {DbFailure::Kind::Conflict, false, 0, describe(e, e.sqlstate())};
    } catch (const pqxx::foreign_key_violation &e) {
        failure = {DbFailure::Kind::Conflict, false, 0, describe(e, e.sqlstate())};
    } catch (const pqxx::check_violation &e) {
        failure = {DbFailure::Kind::Invalid, false, 0, describe(e, e.sqlstate())};
    } catch (const pqxx::integrity_constraint_violation &e) {
        // 23P01 exclusion_violation lands here in 6.4.5
        failure = {DbFailure::Kind::Conflict, false, 0, describe(e, e.sqlstate())};
    } catch (const pqxx::sql_error &e) {
        if (isConnectionLoss(e.sqlstate()))
            failure = {DbFailure::Kind::Unavailable, true, 1, describe(e, e.sqlstate())};
        else if (e.sqlstate() == "57014" || e.sqlstate() == "55P03") // timeout, lock timeout
            failure = {DbFailure::Kind::Busy, false, 0, describe(e, e.sqlstate())};
        else
            failure = {DbFailure::Kind::Internal, false, 0, describe(e, e.sqlstate())};
    } catch (const std::exception &e) {
        failure = {DbFailure::Kind::Internal, false, 0, describe(e)};
    } catch (...) {
        failure = {DbFailure::Kind::Internal, false, 0, QStringLiteral("unknown exception")};
    }
    return failure;
}

} // namespace hms::server

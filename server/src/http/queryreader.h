#pragma once

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

#include <optional>

namespace hms::server {

/// Reads a route's query parameters the way FieldReader reads a body: each one by name and
/// rule, errors collected as 422 field errors, and every parameter not asked for refused as
/// "unknown query parameter" (SECURITY.md I3). A parameter given twice is refused too.
class QueryReader
{
public:
    explicit QueryReader(const QUrlQuery &query);

    /// The raw value, when present (for rules of the caller's own, e.g. cursors).
    std::optional<QString> value(const QString &name);
    /// Text of \a minLength to \a maxLength characters without control characters.
    std::optional<QString>
    text(const QString &name, int minLength, int maxLength, bool required = false);
    /// An id: decimal digits, 1 to 18 of them, above zero.
    std::optional<qint64> id(const QString &name);
    /// One of \a allowed.
    std::optional<QString> oneOf(const QString &name, const QStringList &allowed);
    /// A page size between 1 and \a maximum; \a defaultValue when absent.
    int limit(int defaultValue, int maximum);

    void addError(const QString &name, const QString &message);

    /// Refuses the parameters nobody read, then throws DomainError 422 when anything is wrong.
    void finish();

private:
    QList<QPair<QString, QString>> m_items;
    QList<bool> m_read;
    QList<QPair<QString, QString>> m_errors;
};

} // namespace hms::server

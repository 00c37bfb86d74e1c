#pragma once

#include "shared/core/result.h"

#include <QDate>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace hms {

/// Reads typed fields out of a parsed JSON object (see parseJsonObject) and collects 422
/// field errors, so every route, and the client before it sends, validates the same way.
///
/// Every read marks its key as known for rejectUnknownKeys() and adds at most one error.
/// `required…` treats a missing key and `null` alike ("is required"); `optional…` returns
/// nullopt without an error for both, and applies the same rules as `required…` when a
/// value is there. Call hasErrors() rather than testing the optionals: nullopt means
/// "absent" or "invalid".
///
/// Error field names are the JSON keys as sent, prefixed with the reader's path
/// ("address.city"). Strings come back verbatim: never trimmed, escaped or normalised.
///
/// \code
/// FieldReader reader(body);
/// const auto name = reader.requiredString(u"fullName"_s);
/// const auto birthDate = reader.requiredDate(u"birthDate"_s);
/// if (const auto address = reader.optionalObject(u"address"_s)) {
///     FieldReader nested(*address, reader.path(u"address"_s));
///     city = nested.requiredString(u"city"_s);
///     nested.rejectUnknownKeys();
///     reader.addErrors(nested);
/// }
/// reader.rejectUnknownKeys();
/// if (reader.hasErrors())
///     return reader.problem();
/// \endcode
class FieldReader
{
public:
    static constexpr int NameMaxLength = 200; ///< names and short fields (code points)
    static constexpr int FreeTextMaxLength = 65536; ///< notes and other free text
    static constexpr qint64 MaxSafeInteger = qint64(1) << 53; ///< exact in a JSON double
    static constexpr int MaxErrors = 100; ///< more are counted but not listed

    /// \a pathPrefix is prepended to field names in errors, e.g. "address" or "items[2]".
    explicit FieldReader(const QJsonObject &object, QString pathPrefix = {});

    /// A string of 1..\a maxLength code points, not whitespace only, with no C0 control
    /// character other than tab, line feed and carriage return (so no U+0000).
    std::optional<QString> requiredString(const QString &key, int maxLength = NameMaxLength);
    std::optional<QString> optionalString(const QString &key, int maxLength = NameMaxLength);

    /// A JSON number with an integral value in [\a min, \a max] and within ±2^53
    /// (5.0 and 1e2 count as integers; 1.5 and "5" do not).
    std::optional<qint64> requiredInteger(const QString &key, qint64 min, qint64 max);
    std::optional<qint64> optionalInteger(const QString &key, qint64 min, qint64 max);

    std::optional<bool> requiredBool(const QString &key);
    std::optional<bool> optionalBool(const QString &key);

    /// An id: a JSON string of 1..18 ASCII digits with a value > 0 (API.md: ids are
    /// strings). A JSON number is refused.
    std::optional<qint64> requiredId(const QString &key);
    std::optional<qint64> optionalId(const QString &key);

    /// One of \a allowed, compared exactly (case-sensitive).
    std::optional<QString> requiredEnum(const QString &key, const QStringList &allowed);
    std::optional<QString> optionalEnum(const QString &key, const QStringList &allowed);

    /// A calendar date written strictly as YYYY-MM-DD (no time, no single digits).
    std::optional<QDate> requiredDate(const QString &key);
    std::optional<QDate> optionalDate(const QString &key);

    /// A nested object; read it with its own FieldReader(object, path(key)), then addErrors().
    std::optional<QJsonObject> requiredObject(const QString &key);
    std::optional<QJsonObject> optionalObject(const QString &key);

    /// An array of at most \a maxItems items; items are read by the caller, with paths
    /// like path(key) + "[0]".
    std::optional<QJsonArray> requiredArray(const QString &key, int maxItems = 1000);
    std::optional<QJsonArray> optionalArray(const QString &key, int maxItems = 1000);

    /// True when \a key is in the object, even as null. Does not mark it as read.
    bool contains(const QString &key) const { return m_object.contains(key); }

    /// Adds "unknown field" for every key that no read call above has asked for.
    void rejectUnknownKeys();

    /// Adds an error for \a key (prefixed with the reader's path like every other error).
    void addError(const QString &key, const QString &message);
    /// Takes over the errors of a reader for a nested object (already prefixed).
    void addErrors(const FieldReader &nested);

    /// The name of \a key in errors: "prefix.key", or "key" without a prefix.
    QString path(const QString &key) const;

    bool hasErrors() const { return m_errorCount > 0; }

    const QList<FieldError> &errors() const { return m_errors; }

    /// A 422 problems::ValidationFailed carrying all field errors.
    Problem problem() const;

    /// problem() when there are errors, else \a value.
    template<typename T>
    Result<T> finish(T value) const
    {
        if (hasErrors())
            return Result<T>(problem());
        return Result<T>(std::move(value));
    }

private:
    std::optional<QJsonValue> fetch(const QString &key, bool required);
    std::optional<QString> readString(const QString &key, bool required, int maxLength);
    std::optional<qint64> readInteger(const QString &key, bool required, qint64 min, qint64 max);
    std::optional<bool> readBool(const QString &key, bool required);
    std::optional<qint64> readId(const QString &key, bool required);
    std::optional<QString> readEnum(const QString &key, bool required, const QStringList &allowed);
    std::optional<QDate> readDate(const QString &key, bool required);
    std::optional<QJsonObject> readObject(const QString &key, bool required);
    std::optional<QJsonArray> readArray(const QString &key, bool required, int maxItems);
    void addFieldError(const QString &field, const QString &message);

    QJsonObject m_object;
    QString m_pathPrefix;
    QSet<QString> m_readKeys;
    QList<FieldError> m_errors;
    int m_errorCount = 0; ///< including those beyond MaxErrors
};

} // namespace hms

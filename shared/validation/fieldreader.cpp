#include "shared/validation/fieldreader.h"

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace hms {

namespace {

constexpr int MaxIdDigits = 18; // always fits in qint64

bool isAsciiDigit(QChar c)
{
    return c.unicode() >= u'0' && c.unicode() <= u'9';
}

bool isForbiddenControl(char16_t c)
{
    return c < 0x20 && c != u'\t' && c != u'\n' && c != u'\r';
}

/// Strict YYYY-MM-DD; an invalid QDate when the text is anything else.
QDate parseIsoDate(const QString &text)
{
    if (text.size() != 10 || text.at(4) != u'-' || text.at(7) != u'-')
        return {};
    for (const qsizetype i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (!isAsciiDigit(text.at(i)))
            return {};
    }
    const auto number = [&text](qsizetype from, qsizetype length) {
        int value = 0;
        for (qsizetype i = from; i < from + length; ++i)
            value = value * 10 + (text.at(i).unicode() - u'0');
        return value;
    };
    return QDate(number(0, 4), number(5, 2), number(8, 2)); // invalid for 2024-02-30, year 0
}

} // namespace

FieldReader::FieldReader(const QJsonObject &object, QString pathPrefix)
    : m_object(object)
    , m_pathPrefix(std::move(pathPrefix))
{}

QString FieldReader::path(const QString &key) const
{
    if (m_pathPrefix.isEmpty())
        return key;
    return m_pathPrefix % u'.' % key;
}

void FieldReader::addFieldError(const QString &field, const QString &message)
{
    ++m_errorCount;
    if (m_errors.size() < MaxErrors)
        m_errors.append({field, message});
}

void FieldReader::addError(const QString &key, const QString &message)
{
    addFieldError(path(key), message);
}

void FieldReader::addErrors(const FieldReader &nested)
{
    for (const FieldError &error : nested.m_errors)
        addFieldError(error.field, error.message);
    // Count what the nested reader could not list either.
    m_errorCount += nested.m_errorCount - int(nested.m_errors.size());
}

std::optional<QJsonValue> FieldReader::fetch(const QString &key, bool required)
{
    m_readKeys.insert(key);
    const QJsonValue value = m_object.value(key);
    if (value.isUndefined() || value.isNull()) {
        if (required)
            addError(key, u"is required"_s);
        return std::nullopt;
    }
    return value;
}

std::optional<QString> FieldReader::readString(const QString &key, bool required, int maxLength)
{
    const std::optional<QJsonValue> value = fetch(key, required);
    if (!value)
        return std::nullopt;
    if (!value->isString()) {
        addError(key, u"must be a string"_s);
        return std::nullopt;
    }
    QString text = value->toString();
    qsizetype codePoints = 0;
    bool onlySpace = true;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (isForbiddenControl(c.unicode())) {
            addError(key, u"must not contain control characters"_s);
            return std::nullopt;
        }
        if (onlySpace && !c.isSpace())
            onlySpace = false;
        // A surrogate pair is one code point: count its high half only.
        if (!(c.isLowSurrogate() && i > 0 && text.at(i - 1).isHighSurrogate()))
            ++codePoints;
    }
    if (onlySpace) {
        addError(key, u"must not be empty"_s);
        return std::nullopt;
    }
    if (codePoints > maxLength) {
        addError(key, u"must be at most "_s % QString::number(maxLength) % u" characters"_s);
        return std::nullopt;
    }
    return text;
}

std::optional<qint64>
FieldReader::readInteger(const QString &key, bool required, qint64 min, qint64 max)
{
    const std::optional<QJsonValue> value = fetch(key, required);
    if (!value)
        return std::nullopt;
    const double number = value->toDouble();
    if (!value->isDouble() || !std::isfinite(number) || std::trunc(number) != number) {
        addError(key, u"must be an integer"_s);
        return std::nullopt;
    }
    const qint64 low = std::max(min, -MaxSafeInteger);
    const qint64 high = std::min(max, MaxSafeInteger);
    const auto outOfRange = [&] {
        addError(key,
                 u"must be between "_s % QString::number(low) % u" and "_s % QString::number(high));
        return std::nullopt;
    };
    // Check the double first: toInteger() of 1e300 would not fit. Then the exact value,
    // because Qt keeps integer literals as qint64 (9007199254740993 rounds to 2^53 as double).
    if (std::fabs(number) > double(MaxSafeInteger))
        return outOfRange();
    const qint64 exact = value->toInteger();
    if (exact < low || exact > high)
        return outOfRange();
    return exact;
}

std::optional<bool> FieldReader::readBool(const QString &key, bool required)
{
    const std::optional<QJsonValue> value = fetch(key, required);
    if (!value)
        return std::nullopt;
    if (!value->isBool()) {
        addError(key, u"must be true or false"_s);
        return std::nullopt;
    }
    return value->toBool();
}

std::optional<qint64> FieldReader::readId(const QString &key, bool required)
{
    const std::optional<QJsonValue> value = fetch(key, required);
    if (!value)
        return std::nullopt;
    const QString text = value->isString() ? value->toString() : QString();
    const bool wellFormed = !text.isEmpty() && text.size() <= MaxIdDigits
        && std::all_of(text.cbegin(), text.cend(), isAsciiDigit);
    const qint64 id = wellFormed ? text.toLongLong() : 0;
    if (id <= 0) {
        addError(key, u"must be an id (a string of digits)"_s);
        return std::nullopt;
    }
    return id;
}

std::optional<QString>
FieldReader::readEnum(const QString &key, bool required, const QStringList &allowed)
{
    const std::optional<QJsonValue> value = fetch(key, required);
    if (!value)
        return std::nullopt;
    QString text = value->toString();
    if (!value->isString() || !allowed.contains(text)) {
        addError(key, u"must be one of: "_s % allowed.join(u", "_s));
        return std::nullopt;
    }
    return text;
}

std::optional<QDate> FieldReader::readDate(const QString &key, bool required)
{
    const std::optional<QJsonValue> value = fetch(key, required);
    if (!value)
        return std::nullopt;
    const QDate date = value->isString() ? parseIsoDate(value->toString()) : QDate();
    if (!date.isValid()) {
        addError(key, u"must be a date (YYYY-MM-DD)"_s);
        return std::nullopt;
    }
    return date;
}

std::optional<QJsonObject> FieldReader::readObject(const QString &key, bool required)
{
    const std::optional<QJsonValue> value = fetch(key, required);
    if (!value)
        return std::nullopt;
    if (!value->isObject()) {
        addError(key, u"must be an object"_s);
        return std::nullopt;
    }
    return value->toObject();
}

std::optional<QJsonArray> FieldReader::readArray(const QString &key, bool required, int maxItems)
{
    const std::optional<QJsonValue> value = fetch(key, required);
    if (!value)
        return std::nullopt;
    if (!value->isArray()) {
        addError(key, u"must be an array"_s);
        return std::nullopt;
    }
    QJsonArray array = value->toArray();
    if (array.size() > maxItems) {
        addError(key, u"must have at most "_s % QString::number(maxItems) % u" items"_s);
        return std::nullopt;
    }
    return array;
}

std::optional<QString> FieldReader::requiredString(const QString &key, int maxLength)
{
    return readString(key, true, maxLength);
}

std::optional<QString> FieldReader::optionalString(const QString &key, int maxLength)
{
    return readString(key, false, maxLength);
}

std::optional<qint64> FieldReader::requiredInteger(const QString &key, qint64 min, qint64 max)
{
    return readInteger(key, true, min, max);
}

std::optional<qint64> FieldReader::optionalInteger(const QString &key, qint64 min, qint64 max)
{
    return readInteger(key, false, min, max);
}

std::optional<bool> FieldReader::requiredBool(const QString &key)
{
    return readBool(key, true);
}

std::optional<bool> FieldReader::optionalBool(const QString &key)
{
    return readBool(key, false);
}

std::optional<qint64> FieldReader::requiredId(const QString &key)
{
    return readId(key, true);
}

std::optional<qint64> FieldReader::optionalId(const QString &key)
{
    return readId(key, false);
}

std::optional<QString> FieldReader::requiredEnum(const QString &key, const QStringList &allowed)
{
    return readEnum(key, true, allowed);
}

std::optional<QString> FieldReader::optionalEnum(const QString &key, const QStringList &allowed)
{
    return readEnum(key, false, allowed);
}

std::optional<QDate> FieldReader::requiredDate(const QString &key)
{
    return readDate(key, true);
}

std::optional<QDate> FieldReader::optionalDate(const QString &key)
{
    return readDate(key, false);
}

std::optional<QJsonObject> FieldReader::requiredObject(const QString &key)
{
    return readObject(key, true);
}

std::optional<QJsonObject> FieldReader::optionalObject(const QString &key)
{
    return readObject(key, false);
}

std::optional<QJsonArray> FieldReader::requiredArray(const QString &key, int maxItems)
{
    return readArray(key, true, maxItems);
}

std::optional<QJsonArray> FieldReader::optionalArray(const QString &key, int maxItems)
{
    return readArray(key, false, maxItems);
}

void FieldReader::rejectUnknownKeys()
{
    // QJsonObject iterates in key order, so the errors come out sorted.
    for (auto it = m_object.constBegin(); it != m_object.constEnd(); ++it) {
        const QString key = it.key();
        if (!m_readKeys.contains(key))
            addError(key, u"unknown field"_s);
    }
}

Problem FieldReader::problem() const
{
    QString detail = m_errorCount == 1 ? u"1 invalid field"_s
                                       : QString::number(m_errorCount) % u" invalid fields"_s;
    if (m_errorCount > m_errors.size())
        detail += u" (first "_s % QString::number(m_errors.size()) % u" listed)"_s;
    Problem result = Problem::fromType(problems::ValidationFailed, detail);
    result.errors = m_errors;
    return result;
}

} // namespace hms

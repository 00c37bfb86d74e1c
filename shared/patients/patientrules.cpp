#include "shared/patients/patientrules.h"

#include "shared/validation/fieldreader.h"

#include <QJsonArray>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace hms {

namespace {

namespace K = patientkeys;
namespace L = patientlimits;

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

const QStringList &sexes()
{
    static const QStringList values{u"F"_s, u"M"_s, u"X"_s, u"U"_s};
    return values;
}

/// Reads an optional nested object of optional strings; empty strings are dropped and an
/// object left empty is "none". Returns nullopt when the key is absent or invalid.
std::optional<QJsonObject> readStringObject(FieldReader &reader,
                                            const QString &name,
                                            const QStringList &members,
                                            const QString &phoneMember = {})
{
    const std::optional<QJsonObject> object = reader.optionalObject(name);
    if (!object)
        return std::nullopt;
    FieldReader nested(*object, reader.path(name));
    QJsonObject clean;
    for (const QString &member : members) {
        const std::optional<QString> value = nested.optionalString(member, L::AddressFieldMax);
        if (!value)
            continue;
        if (member == phoneMember) {
            const std::optional<QString> phone = normalizePhone(*value);
            if (!phone) {
                nested.addError(member, u"must be a phone number of 7 to 15 digits"_s);
                continue;
            }
            clean.insert(member, *phone);
        } else {
            clean.insert(member, value->simplified());
        }
    }
    nested.rejectUnknownKeys();
    const bool ok = !nested.hasErrors();
    reader.addErrors(nested);
    if (!ok)
        return std::nullopt;
    return clean;
}

/// True when the JSON key is present with the value null (a PATCH that clears it).
bool isExplicitNull(const QJsonObject &json, const char *name)
{
    const auto it = json.constFind(key(name));
    return it != json.constEnd() && it->isNull();
}

} // namespace

std::optional<QString> normalizePhone(const QString &text)
{
    QString normalized;
    const QString trimmed = text.trimmed();
    int digits = 0;
    for (qsizetype i = 0; i < trimmed.size(); ++i) {
        const char16_t c = trimmed.at(i).unicode();
        if (c >= u'0' && c <= u'9') {
            normalized.append(QChar(c));
            ++digits;
        } else if (c == u'+' && i == 0) {
            normalized.append(QChar(c));
        } else if (c != u' ' && c != u'-' && c != u'(' && c != u')' && c != u'.') {
            return std::nullopt;
        }
    }
    if (digits < L::PhoneDigitsMin || digits > L::PhoneDigitsMax)
        return std::nullopt;
    return normalized;
}

QDate estimatedBirthDate(int ageYears, const QDate &today)
{
    return today.addYears(-ageYears).addMonths(-6);
}

Result<PatientInput> patientFromJson(const QJsonObject &json, bool forUpdate, const QDate &today)
{
    FieldReader reader(json);
    PatientInput input;
    const bool required = !forUpdate;
    const QDate earliest(1900, 1, 1);

    const QString fullNameKey = key(K::FullName);
    const std::optional<QString> fullName = required
        ? reader.requiredString(fullNameKey, L::FullNameMax)
        : reader.optionalString(fullNameKey, L::FullNameMax);
    if (fullName) {
        input.fullName = fullName->simplified();
        input.fields.insert(fullNameKey);
    }

    // Exactly one of birthDate and estimatedAgeYears (on update: at most one).
    const QString birthDateKey = key(K::BirthDate);
    const QString ageKey = key(K::EstimatedAgeYears);
    const bool hasBirthDate = json.contains(birthDateKey) && !json.value(birthDateKey).isNull();
    const bool hasAge = json.contains(ageKey) && !json.value(ageKey).isNull();
    const std::optional<QDate> birthDate = reader.optionalDate(birthDateKey);
    const std::optional<qint64> age = reader.optionalInteger(ageKey, 0, L::EstimatedAgeMax);
    if (hasBirthDate && hasAge) {
        reader.addError(ageKey, u"send either birthDate or estimatedAgeYears, not both"_s);
    } else if (!hasBirthDate && !hasAge) {
        if (required)
            reader.addError(birthDateKey, u"is required (or send estimatedAgeYears)"_s);
        else if (isExplicitNull(json, K::BirthDate))
            reader.addError(birthDateKey, u"cannot be cleared"_s);
    } else if (birthDate) {
        if (*birthDate > today)
            reader.addError(birthDateKey, u"must not be in the future"_s);
        else if (*birthDate < earliest)
            reader.addError(birthDateKey, u"must not be before 1900-01-01"_s);
        input.birthDate = *birthDate;
        input.birthDateEstimated = false;
        input.fields.insert(birthDateKey);
        input.fields.insert(key(K::BirthDateEstimated));
    } else if (age) {
        input.birthDate = estimatedBirthDate(int(*age), today);
        if (input.birthDate < earliest)
            reader.addError(ageKey, u"gives a birth date before 1900-01-01"_s);
        input.birthDateEstimated = true;
        input.fields.insert(birthDateKey);
        input.fields.insert(key(K::BirthDateEstimated));
    }

    const QString sexKey = key(K::Sex);
    const std::optional<QString> sex =
        required ? reader.requiredEnum(sexKey, sexes()) : reader.optionalEnum(sexKey, sexes());
    if (sex) {
        input.sex = *sex;
        input.fields.insert(sexKey);
    }

    const QString phoneKey = key(K::Phone);
    const std::optional<QString> phone =
        required ? reader.requiredString(phoneKey, 40) : reader.optionalString(phoneKey, 40);
    if (phone) {
        if (const std::optional<QString> normalized = normalizePhone(*phone)) {
            input.phone = *normalized;
            input.fields.insert(phoneKey);
        } else {
            reader.addError(phoneKey,
                            u"must be a phone number of 7 to 15 digits (spaces, dashes, "
                            "parentheses and a leading + allowed)"_s);
        }
    }

    // Optional fields: absent = unchanged on update, null = cleared (or "none" on create).
    const auto markOptional = [&](const char *name, bool present) {
        if (required || present || isExplicitNull(json, name))
            input.fields.insert(key(name));
    };

    const std::optional<QJsonObject> address =
        readStringObject(reader, key(K::Address),
                         {u"line1"_s, u"line2"_s, u"city"_s, u"district"_s, u"state"_s,
                          u"postalCode"_s, u"country"_s});
    if (address)
        input.address = *address;
    markOptional(K::Address, address.has_value());

    const std::optional<QJsonObject> contact = readStringObject(
        reader, key(K::EmergencyContact), {u"name"_s, u"relation"_s, u"phone"_s}, u"phone"_s);
    if (contact)
        input.emergencyContact = *contact;
    markOptional(K::EmergencyContact, contact.has_value());

    const std::optional<QString> nationalId =
        reader.optionalString(key(K::NationalId), L::NationalIdMax);
    if (nationalId)
        input.nationalId = nationalId->trimmed();
    markOptional(K::NationalId, nationalId.has_value());

    const QString allergiesKey = key(K::Allergies);
    const std::optional<QJsonArray> allergies = reader.optionalArray(allergiesKey, L::AllergiesMax);
    if (allergies) {
        for (qsizetype i = 0; i < allergies->size(); ++i) {
            const QString itemKey = allergiesKey % u'[' % QString::number(i) % u']';
            const QJsonValue item = allergies->at(i);
            QString text = item.toString().simplified();
            if (!item.isString() || text.isEmpty() || text.size() > L::AllergyMax) {
                reader.addError(itemKey, u"must be a non-empty string of at most 200 characters"_s);
                continue;
            }
            bool control = false;
            for (const QChar c : std::as_const(text))
                control |= c.unicode() < 0x20;
            if (control) {
                reader.addError(itemKey, u"must not contain control characters"_s);
                continue;
            }
            if (!input.allergies.contains(text, Qt::CaseInsensitive))
                input.allergies.append(text);
        }
    }
    markOptional(K::Allergies, allergies.has_value());

    if (forUpdate) {
        for (const char *name : {K::FullName, K::Sex, K::Phone}) {
            if (isExplicitNull(json, name))
                reader.addError(key(name), u"cannot be cleared"_s);
        }
    }

    const QString overrideKey = key(K::DuplicateOverrideReason);
    if (forUpdate) {
        if (json.contains(overrideKey))
            reader.addError(overrideKey, u"only applies to a registration"_s);
    } else if (const std::optional<QString> reason =
                   reader.optionalString(overrideKey, L::OverrideReasonMax)) {
        input.duplicateOverrideReason = reason->trimmed();
    }

    reader.rejectUnknownKeys();
    return reader.finish(std::move(input));
}

int luhnCheckDigit(const QString &digits)
{
    int sum = 0;
    bool doubleIt = true; // the digit next to the check digit is doubled
    for (qsizetype i = digits.size() - 1; i >= 0; --i) {
        int d = digits.at(i).unicode() - u'0';
        if (doubleIt) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
        doubleIt = !doubleIt;
    }
    return (10 - sum % 10) % 10;
}

QString computeMrn(const QString &prefix, int year, qint64 sequence)
{
    const QString yearText = QString::number(year).rightJustified(4, u'0');
    const QString sequenceText = QString::number(sequence).rightJustified(6, u'0');
    const QString digits = yearText + sequenceText;
    return prefix % u'-' % yearText % u'-' % sequenceText % u'-'
        % QString::number(luhnCheckDigit(digits));
}

QString normalizeMrn(const QString &text)
{
    return text.trimmed().toUpper();
}

bool isValidMrn(const QString &text)
{
    static const QRegularExpression format(
        u"^[A-Z][A-Z0-9]{0,3}-([0-9]{4})-([0-9]{6,12})-([0-9])$"_s);
    const QRegularExpressionMatch match = format.match(normalizeMrn(text));
    if (!match.hasMatch())
        return false;
    const QString digits = match.captured(1) + match.captured(2);
    return luhnCheckDigit(digits) == match.captured(3).toInt();
}

QString mrnPrefixFor(const QString &hospitalCode)
{
    QString prefix;
    for (const QChar c : hospitalCode) {
        if ((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9'))
            prefix.append(c.toUpper());
    }
    if (prefix.isEmpty() || !prefix.at(0).isLetter())
        prefix.prepend(u'H');
    return prefix.left(4);
}

} // namespace hms

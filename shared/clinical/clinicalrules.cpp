#include "shared/clinical/clinicalrules.h"

#include "shared/clinical/medicationrules.h"
#include "shared/validation/fieldreader.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <cmath>

namespace hms {

namespace {

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

/// An error about a whole object (field name \a fullPath as is), added to \a reader.
void objectError(FieldReader &reader, const QString &fullPath, const QString &message)
{
    FieldReader whole{QJsonObject{}, QString{}};
    whole.addError(fullPath.isEmpty() ? QStringLiteral("body") : fullPath, message);
    reader.addErrors(whole);
}

QString itemPath(const FieldReader &reader, const QString &arrayKey, qsizetype index)
{
    return reader.path(arrayKey) + QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
}

/// Reads the array \a arrayKey of objects, each with \a readItem; errors land in \a reader.
template<typename ReadItem>
void readObjectList(FieldReader &reader, const QString &arrayKey, ReadItem readItem)
{
    const std::optional<QJsonArray> items = reader.optionalArray(arrayKey, clinicallimits::ListMax);
    if (!items)
        return;
    for (qsizetype i = 0; i < items->size(); ++i) {
        const QString path = itemPath(reader, arrayKey, i);
        if (!items->at(i).isObject()) {
            objectError(reader, path, QStringLiteral("must be an object"));
            continue;
        }
        FieldReader item(items->at(i).toObject(), path);
        readItem(item);
        item.rejectUnknownKeys();
        reader.addErrors(item);
    }
}

void readVitals(FieldReader &parent, const QJsonObject &object, const QString &path)
{
    // FieldReader reads integers only; the temperature is read by hand and taken out of the
    // object, so rejectUnknownKeys() judges the rest.
    static const QLatin1String temperatureKey("temperatureC");
    QJsonObject rest = object;
    rest.remove(temperatureKey);
    FieldReader reader(rest, path);
    bool any = false;
    if (object.contains(temperatureKey) && !object.value(temperatureKey).isNull()) {
        any = true;
        const QJsonValue value = object.value(temperatureKey);
        if (!value.isDouble() || !std::isfinite(value.toDouble()))
            reader.addError(temperatureKey, QStringLiteral("must be a number"));
        else if (value.toDouble() < 25.0 || value.toDouble() > 45.0)
            reader.addError(temperatureKey, QStringLiteral("must be between 25 and 45"));
    }

    struct Range
    {
        const char *name;
        qint64 min;
        qint64 max;
    };

    static constexpr Range Ranges[] = {{"pulse", 20, 250},     {"systolic", 50, 260},
                                       {"diastolic", 20, 160}, {"spo2", 50, 100},
                                       {"respiration", 4, 60}, {"painScore", 0, 10}};
    for (const Range &range : Ranges) {
        const QString name = key(range.name);
        if (reader.contains(name) && !rest.value(name).isNull())
            any = true;
        reader.optionalInteger(name, range.min, range.max);
    }
    const QJsonValue systolic = rest.value(QLatin1String("systolic"));
    const QJsonValue diastolic = rest.value(QLatin1String("diastolic"));
    if (!reader.hasErrors() && systolic.isDouble() && diastolic.isDouble()
        && diastolic.toDouble() >= systolic.toDouble())
        reader.addError(QStringLiteral("diastolic"), QStringLiteral("must be below systolic"));
    reader.rejectUnknownKeys();
    if (!any)
        objectError(reader, path, QStringLiteral("needs at least one measurement"));
    parent.addErrors(reader);
}

void readConsultation(FieldReader &reader, const QJsonObject &body, const QString &path)
{
    reader.optionalId(QStringLiteral("visitId"));
    if (const std::optional<QJsonObject> vitals = reader.optionalObject(QStringLiteral("vitals")))
        readVitals(reader, *vitals, reader.path(QStringLiteral("vitals")));
    bool anyNote = false;
    for (const char *name : {"subjective", "objective", "assessment", "plan"}) {
        const QString noteKey = key(name);
        if (body.contains(noteKey) && !body.value(noteKey).isNull())
            anyNote = true;
        reader.optionalString(noteKey, FieldReader::FreeTextMaxLength);
    }
    if (!anyNote)
        objectError(reader, path,
                    QStringLiteral("needs at least one of subjective, objective, assessment "
                                   "and plan"));
    readObjectList(reader, QStringLiteral("diagnoses"), [](FieldReader &item) {
        const std::optional<QString> code = item.requiredString(QStringLiteral("icd10"), 16);
        if (code && !isValidIcd10(*code))
            item.addError(QStringLiteral("icd10"), QStringLiteral("is not an ICD-10 code"));
        item.requiredString(QStringLiteral("text"), clinicallimits::ShortTextMax);
    });
    readObjectList(reader, QStringLiteral("prescriptions"), [](FieldReader &item) {
        for (const char *name : {"drug", "dose", "route", "frequency"})
            item.requiredString(key(name), clinicallimits::ShortTextMax);
        item.optionalInteger(QStringLiteral("durationDays"), 1, clinicallimits::DurationDaysMax);
        item.optionalString(QStringLiteral("instructions"), clinicallimits::InstructionsMax);
    });
    readObjectList(reader, QStringLiteral("labOrders"), [](FieldReader &item) {
        item.requiredString(QStringLiteral("test"), clinicallimits::ShortTextMax);
        item.optionalEnum(
            QStringLiteral("priority"),
            {QStringLiteral("routine"), QStringLiteral("urgent"), QStringLiteral("stat")});
        item.optionalString(QStringLiteral("notes"), clinicallimits::InstructionsMax);
    });
}

} // namespace

QStringList clinicalDocumentKinds()
{
    return {key(clinicalkinds::Consultation), key(clinicalkinds::Vitals),
            key(clinicalkinds::NursingNote), key(clinicalkinds::LabReport),
            key(clinicalkinds::DischargeSummary)};
}

QStringList writableClinicalDocumentKinds()
{
    return {key(clinicalkinds::Consultation), key(clinicalkinds::Vitals),
            key(clinicalkinds::NursingNote)};
}

bool isValidIcd10(const QString &code)
{
    static const QRegularExpression pattern(
        QStringLiteral("^[A-TV-Z][0-9][0-9AB](\\.[0-9A-TV-Z]{1,4})?$"));
    return pattern.match(code).hasMatch();
}

Result<QJsonObject>
validateClinicalBody(const QString &kind, const QJsonObject &body, const QString &pathPrefix)
{
    FieldReader reader(body, pathPrefix);
    if (kind == QLatin1String(clinicalkinds::Consultation)) {
        readConsultation(reader, body, pathPrefix);
    } else if (kind == QLatin1String(clinicalkinds::Vitals)) {
        // Charted on a ward: the admission and when the measurements were taken.
        QJsonObject measurements = body;
        measurements.remove(QLatin1String("admissionId"));
        measurements.remove(QLatin1String("takenAt"));
        FieldReader context(body, pathPrefix);
        context.optionalId(QStringLiteral("admissionId"));
        if (const std::optional<QString> takenAt =
                context.optionalString(QStringLiteral("takenAt"), 40);
            takenAt && !medication::parseInstant(*takenAt))
            context.addError(QStringLiteral("takenAt"),
                             QStringLiteral("must be a date-time with an offset (RFC 3339)"));
        FieldReader outer{QJsonObject{}, QString{}};
        outer.addErrors(context);
        readVitals(outer, measurements, pathPrefix);
        return outer.finish(body);
    } else if (kind == QLatin1String(clinicalkinds::NursingNote)) {
        reader.requiredString(QStringLiteral("text"), FieldReader::FreeTextMaxLength);
        reader.optionalId(QStringLiteral("admissionId"));
    } else {
        FieldReader outer{QJsonObject{}, QString{}};
        outer.addError(key(documentkeys::Kind),
                       QStringLiteral("cannot be written through the API"));
        return outer.finish(body);
    }
    reader.rejectUnknownKeys();
    return reader.finish(body);
}

} // namespace hms

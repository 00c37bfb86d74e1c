#include "shared/clinical/medicationrules.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>

namespace hms::medication {

namespace {

QList<QTime> everyHours(int hours)
{
    QList<QTime> times;
    for (int h = 0; h < 24; h += hours)
        times.append(QTime(h, 0));
    return times;
}

} // namespace

QStringList routes()
{
    return {QStringLiteral("oral"),       QStringLiteral("iv"),      QStringLiteral("im"),
            QStringLiteral("sc"),         QStringLiteral("topical"), QStringLiteral("inhaled"),
            QStringLiteral("pr"),         QStringLiteral("sl"),      QStringLiteral("nasal"),
            QStringLiteral("ophthalmic"), QStringLiteral("otic"),    QStringLiteral("transdermal"),
            QStringLiteral("nebulised"),  QStringLiteral("pv"),      QStringLiteral("ng")};
}

const QList<Frequency> &frequencies()
{
    static const QList<Frequency> table{
        {QStringLiteral("OD"), {QTime(8, 0)}},
        {QStringLiteral("BD"), {QTime(8, 0), QTime(20, 0)}},
        {QStringLiteral("TDS"), {QTime(8, 0), QTime(14, 0), QTime(20, 0)}},
        {QStringLiteral("QID"), {QTime(6, 0), QTime(12, 0), QTime(18, 0), QTime(22, 0)}},
        {QStringLiteral("Q4H"), everyHours(4)},
        {QStringLiteral("Q6H"), everyHours(6)},
        {QStringLiteral("Q8H"), everyHours(8)},
        {QStringLiteral("Q12H"), everyHours(12)},
        {QStringLiteral("QHS"), {QTime(22, 0)}},
        {QStringLiteral("STAT"), {}},
        {QStringLiteral("PRN"), {}},
    };
    return table;
}

QStringList frequencyCodes()
{
    QStringList codes;
    for (const Frequency &frequency : frequencies())
        codes.append(frequency.code);
    return codes;
}

const Frequency *findFrequency(const QString &code)
{
    for (const Frequency &frequency : frequencies()) {
        if (frequency.code == code)
            return &frequency;
    }
    return nullptr;
}

bool isScheduled(const QString &code)
{
    const Frequency *frequency = findFrequency(code);
    return frequency && !frequency->localTimes.isEmpty();
}

QList<QDateTime>
dueSlots(const QString &code, const QTimeZone &zone, const QDateTime &from, const QDateTime &to)
{
    QList<QDateTime> slots;
    const Frequency *frequency = findFrequency(code);
    if (!frequency || !zone.isValid() || !from.isValid() || !to.isValid() || to < from)
        return slots;
    // One local day either side: the window's ends may fall on other local dates.
    const QDate last = to.toTimeZone(zone).date().addDays(1);
    for (QDate day = from.toTimeZone(zone).date().addDays(-1); day <= last; day = day.addDays(1)) {
        for (const QTime &time : frequency->localTimes) {
            const QDateTime at = QDateTime(day, time, zone).toUTC();
            if (at >= from && at <= to && !slots.contains(at))
                slots.append(at);
        }
    }
    std::sort(slots.begin(), slots.end());
    return slots;
}

QJsonObject scheduleJson()
{
    QJsonObject schedule;
    for (const Frequency &frequency : frequencies()) {
        QJsonArray times;
        for (const QTime &time : frequency.localTimes)
            times.append(time.toString(QStringLiteral("HH:mm")));
        schedule.insert(frequency.code, times);
    }
    return schedule;
}

QStringList outcomes()
{
    return {QStringLiteral("given"), QStringLiteral("held"), QStringLiteral("refused")};
}

std::optional<QDateTime> parseInstant(const QString &text)
{
    static const QRegularExpression format(QStringLiteral(
        "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}:\\d{2})$"));
    if (!format.match(text).hasMatch())
        return std::nullopt;
    // Qt reads at most milliseconds; finer digits are cut, which a dose time never needs.
    QString trimmed = text;
    static const QRegularExpression micro(QStringLiteral("(\\.\\d{3})\\d+"));
    trimmed.replace(micro, QStringLiteral("\\1"));
    const QDateTime parsed = QDateTime::fromString(trimmed, Qt::ISODateWithMs);
    if (!parsed.isValid())
        return std::nullopt;
    return parsed.toUTC();
}

} // namespace hms::medication

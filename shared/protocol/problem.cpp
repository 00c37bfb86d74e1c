#include "shared/protocol/problem.h"

#include <QJsonArray>

namespace hms {

Problem Problem::fromType(const ProblemType &type, const QString &detail)
{
    Problem problem;
    problem.type = QString::fromLatin1(type.slug);
    problem.status = type.status;
    problem.title = QString::fromLatin1(type.title);
    problem.detail = detail;
    return problem;
}

QJsonObject Problem::toJson() const
{
    QJsonObject json = extensions;
    json.insert(QStringLiteral("type"), QString(QLatin1String(ProblemTypePrefix) + type));
    json.insert(QStringLiteral("title"), title);
    json.insert(QStringLiteral("status"), status);
    if (!detail.isEmpty())
        json.insert(QStringLiteral("detail"), detail);
    if (!errors.isEmpty()) {
        QJsonArray list;
        for (const FieldError &error : errors) {
            list.append(QJsonObject{{QStringLiteral("field"), error.field},
                                    {QStringLiteral("message"), error.message}});
        }
        json.insert(QStringLiteral("errors"), list);
    }
    return json;
}

Problem Problem::fromJson(const QJsonObject &json)
{
    Problem problem;
    QString type = json.value(QStringLiteral("type")).toString();
    if (type.startsWith(QLatin1String(ProblemTypePrefix)))
        type = type.mid(int(qstrlen(ProblemTypePrefix)));
    problem.type = type;
    problem.status = json.value(QStringLiteral("status")).toInt(500);
    problem.title = json.value(QStringLiteral("title")).toString();
    problem.detail = json.value(QStringLiteral("detail")).toString();
    const QJsonArray list = json.value(QStringLiteral("errors")).toArray();
    for (const QJsonValue &item : list) {
        const QJsonObject error = item.toObject();
        problem.errors.append({error.value(QStringLiteral("field")).toString(),
                               error.value(QStringLiteral("message")).toString()});
    }
    return problem;
}

} // namespace hms

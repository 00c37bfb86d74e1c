#include "http/router.h"

#include <stdexcept>

namespace hms::server {

namespace {

QList<QString> splitTemplate(const QString &pathTemplate)
{
    if (!pathTemplate.startsWith(QLatin1Char('/')))
        throw std::logic_error("route templates start with /");
    QList<QString> parts = pathTemplate.mid(1).split(QLatin1Char('/'));
    if (parts.size() == 1 && parts.first().isEmpty())
        parts.clear();
    return parts;
}

bool isParameter(const QString &part)
{
    return part.size() > 2 && part.startsWith(QLatin1Char('{')) && part.endsWith(QLatin1Char('}'));
}

bool matches(const QList<QString> &parts,
             const QList<QString> &segments,
             QHash<QString, QString> *params)
{
    if (parts.size() != segments.size())
        return false;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        if (isParameter(parts[i])) {
            if (segments[i].isEmpty())
                return false;
            if (params)
                params->insert(parts[i].mid(1, parts[i].size() - 2), segments[i]);
        } else if (parts[i] != segments[i]) {
            return false;
        }
    }
    return true;
}

} // namespace

void Router::add(Route route)
{
    if (!route.handler)
        throw std::logic_error("route without handler");
    const QList<QString> parts = splitTemplate(route.pathTemplate);
    for (qsizetype i = 0; i < m_routes.size(); ++i) {
        if (m_routes[i].method == route.method && m_templates[i] == parts)
            throw std::logic_error("duplicate route " + route.method.toStdString() + ' '
                                   + route.pathTemplate.toStdString());
    }
    m_routes.append(std::move(route));
    m_templates.append(parts);
}

void Router::acceptQuery(const QByteArray &method, const QString &pathTemplate)
{
    for (Route &route : m_routes) {
        if (route.method == method && route.pathTemplate == pathTemplate) {
            route.readsQuery = true;
            return;
        }
    }
    throw std::logic_error("acceptQuery: no route " + method.toStdString() + ' '
                           + pathTemplate.toStdString());
}

Router::Match Router::match(const QByteArray &method, const QList<QString> &segments) const
{
    Match result;
    const QByteArray wanted = method == "HEAD" ? QByteArray("GET") : method;
    // Literal segments win over parameters: "/patients/search" before "/patients/{id}".
    int bestScore = -1;
    for (qsizetype i = 0; i < m_routes.size(); ++i) {
        if (!matches(m_templates[i], segments, nullptr))
            continue;
        if (m_routes[i].method != wanted) {
            if (!result.allowedMethods.contains(m_routes[i].method))
                result.allowedMethods.append(m_routes[i].method);
            continue;
        }
        int score = 0;
        for (const QString &part : m_templates[i])
            score += isParameter(part) ? 0 : 1;
        if (score > bestScore) {
            bestScore = score;
            result.route = &m_routes[i];
        }
    }
    if (result.route) {
        result.allowedMethods.clear();
        matches(m_templates[result.route - m_routes.constData()], segments, &result.pathParams);
    }
    return result;
}

} // namespace hms::server

#include "http/httpresponse.h"

#include <QJsonDocument>

namespace hms::server {

void HttpResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0) {
            header.second = value;
            return;
        }
    }
    headers.append({name, value});
}

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return header.second;
    }
    return {};
}

HttpResponse HttpResponse::json(int status, const QJsonObject &object)
{
    return jsonBytes(status, QJsonDocument(object).toJson(QJsonDocument::Compact));
}

HttpResponse HttpResponse::jsonBytes(int status, QByteArray body)
{
    HttpResponse response;
    response.status = status;
    response.contentType = "application/json; charset=utf-8";
    response.body = std::move(body);
    return response;
}

HttpResponse HttpResponse::problem(const Problem &problem)
{
    HttpResponse response;
    response.status = problem.status;
    response.contentType = "application/problem+json; charset=utf-8";
    response.body = QJsonDocument(problem.toJson()).toJson(QJsonDocument::Compact);
    return response;
}

HttpResponse HttpResponse::problem(const ProblemType &type, const QString &detail)
{
    return problem(Problem::fromType(type, detail));
}

HttpResponse HttpResponse::noContent()
{
    HttpResponse response;
    response.status = 204;
    return response;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 417:
        return "Expectation Failed";
    case 422:
        return "Unprocessable Content";
    case 428:
        return "Precondition Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return status < 500 ? "Client Error" : "Server Error";
    }
}

const ProblemType &problemTypeForStatus(int status)
{
    switch (status) {
    case 400:
        return problems::MalformedRequest;
    case 404:
        return problems::NotFound;
    case 405:
        return problems::MethodNotAllowed;
    case 408:
        return problems::RequestTimeout;
    case 411:
        return problems::LengthRequired;
    case 413:
        return problems::BodyTooLarge;
    case 414:
        return problems::UriTooLong;
    case 415:
        return problems::UnsupportedMediaType;
    case 417:
        return problems::ExpectationFailed;
    case 431:
        return problems::HeadersTooLarge;
    case 501:
        return problems::NotImplemented;
    case 503:
        return problems::ServiceUnavailable;
    case 505:
        return problems::HttpVersionNotSupported;
    default:
        return status < 500 ? problems::MalformedRequest : problems::InternalError;
    }
}

} // namespace hms::server

#pragma once

#include "shared/protocol/problems.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace hms {

/// One field-level error of a 422 (or 400) answer.
struct FieldError
{
    QString field; ///< JSON pointer-like path of the field, e.g. "birthDate" or "address.city"
    QString message; ///< English, for people; the client may translate by field and type
};

/// An RFC 9457 problem: what went wrong, in terms a client can act on.
struct Problem
{
    QString type; ///< registry slug, see problems.h
    int status = 500;
    QString title;
    QString detail;
    QList<FieldError> errors;
    QJsonObject extensions; ///< extra members, e.g. {"database":"down"}

    static Problem fromType(const ProblemType &type, const QString &detail = {});

    /// The problem+json body. `type` is sent as a URN so it never looks fetchable.
    QJsonObject toJson() const;

    /// Parses a problem+json body received from the server (client side).
    static Problem fromJson(const QJsonObject &json);
};

/// The URN prefix of every problem `type` we send.
inline constexpr char ProblemTypePrefix[] = "urn:hms:problem:";

} // namespace hms

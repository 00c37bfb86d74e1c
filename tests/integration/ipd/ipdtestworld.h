#pragma once

// The world both IPD suites run in: a real in-process hms-server on a test database, two
// hospitals with one user per role (and a second doctor), helpers for wards, beds and
// patients, and concurrent raw HTTP.
#include "shared/auth/permissions.h"
#include "shared/protocol/apipaths.h"
#include "support/serverfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <pqxx/pqxx>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hms::test::ipd {

inline QByteArray ifMatch(int version)
{
    return "If-Match: \"" + QByteArray::number(version) + "\"\r\n";
}

class World
{
public:
    static constexpr char Password[] = "ipd ward round horse 7";

    std::unique_ptr<ServerFixture> fixture;
    qint64 alpha = 0;
    qint64 beta = 0;
    QString doctorId;
    QString betaDoctorId;
    QByteArray admin, doctor, doctor2, nurse, desk, lab, pharmacy;
    QByteArray betaAdmin, betaDesk, betaDoctor;

    /// Starts everything; false (with a warning) when something did not come up.
    /// \a configure adjusts the server's configuration (e.g. the reservation sweep interval).
    bool start(const QString &prefix,
               const std::function<void(hms::server::ServerConfig &)> &configure = {})
    {
        QLoggingCategory::setFilterRules(QStringLiteral("hms.server.access.info=false"));
        fixture = std::make_unique<ServerFixture>(prefix);
        if (!fixture->isValid())
            return false;
        if (!fixture->start([configure](hms::server::ServerConfig &config) {
                config.dbPoolSize = 8;
                if (configure)
                    configure(config);
            }))
            return false;
        alpha = fixture->createHospital(QStringLiteral("alpha"), QStringLiteral("Alpha"));
        beta = fixture->createHospital(QStringLiteral("beta"), QStringLiteral("Beta"));
        const auto token = [this](const char *hospital, const char *user, Role role,
                                  QString *id = nullptr) {
            const QString pw = QString::fromLatin1(Password);
            const qint64 userId = fixture->createUser(QString::fromLatin1(hospital),
                                                      QString::fromLatin1(user), role, pw);
            if (userId <= 0)
                return QByteArray();
            if (id)
                *id = QString::number(userId);
            return accessTokenOf(
                fixture->login(QString::fromLatin1(hospital), QString::fromLatin1(user), pw));
        };
        admin = token("alpha", "admin", Role::Admin);
        doctor = token("alpha", "doctor", Role::Doctor, &doctorId);
        doctor2 = token("alpha", "doctor2", Role::Doctor);
        nurse = token("alpha", "nurse", Role::Nurse);
        desk = token("alpha", "desk", Role::Reception);
        lab = token("alpha", "lab", Role::Lab);
        pharmacy = token("alpha", "pharmacy", Role::Pharmacy);
        betaAdmin = token("beta", "admin", Role::Admin);
        betaDesk = token("beta", "desk", Role::Reception);
        betaDoctor = token("beta", "doctor", Role::Doctor, &betaDoctorId);
        for (const QByteArray &t : {admin, doctor, doctor2, nurse, desk, lab, pharmacy, betaAdmin,
                                    betaDesk, betaDoctor}) {
            if (t.isEmpty())
                return false;
        }
        return alpha > 0 && beta > 0;
    }

    RawResponse send(const QByteArray &method,
                     const QByteArray &path,
                     const QByteArray &token,
                     const QByteArray &body = {},
                     const QByteArray &extraHeaders = {})
    {
        return RawHttpClient::roundTrip(
                   fixture->port(), requestWith(method, path, token, body, extraHeaders), 15'000)
            .value_or(RawResponse());
    }

    RawResponse send(const QByteArray &method,
                     const QByteArray &path,
                     const QByteArray &token,
                     const QJsonObject &body,
                     const QByteArray &extraHeaders = {})
    {
        return send(method, path, token, jsonBytes(body), extraHeaders);
    }

    /// A ward through the API (as \a token, the alpha admin by default); its id or empty.
    QString createWard(const QString &code,
                       const QString &kind = QStringLiteral("general"),
                       QByteArray token = {})
    {
        const RawResponse created =
            send("POST", api::Wards, token.isEmpty() ? admin : token,
                 QJsonObject{{QStringLiteral("code"), code},
                             {QStringLiteral("name"), QString(QStringLiteral("Ward ") + code)},
                             {QStringLiteral("kind"), kind}});
        if (created.status != 201) {
            qWarning("ward %s: %d %s", qPrintable(code), created.status, created.body.constData());
            return {};
        }
        return created.json().value(QStringLiteral("id")).toString();
    }

    /// A bed through the API; its JSON (empty on failure).
    QJsonObject createBed(const QString &wardId,
                          const QString &room,
                          const QString &code,
                          const QStringList &features = {},
                          qint64 dailyRate = 150000,
                          QByteArray token = {})
    {
        const RawResponse created =
            send("POST", api::Beds, token.isEmpty() ? admin : token,
                 QJsonObject{{QStringLiteral("wardId"), wardId},
                             {QStringLiteral("room"), room},
                             {QStringLiteral("code"), code},
                             {QStringLiteral("features"), QJsonArray::fromStringList(features)},
                             {QStringLiteral("dailyRate"), dailyRate}});
        if (created.status != 201) {
            qWarning("bed %s: %d %s", qPrintable(code), created.status, created.body.constData());
            return {};
        }
        return created.json();
    }

    /// \a count beds B1..Bn in room R1 of \a wardId; their ids.
    QStringList
    createBeds(const QString &wardId, int count, const QString &prefix = QStringLiteral("B"))
    {
        QStringList ids;
        for (int i = 1; i <= count; ++i) {
            const QJsonObject bed =
                createBed(wardId, QStringLiteral("R1"), prefix + QString::number(i));
            if (bed.isEmpty())
                return {};
            ids.append(bed.value(QStringLiteral("id")).toString());
        }
        return ids;
    }

    /// Patients straight into the table (as the superuser) to keep the tests fast;
    /// registration itself is tested in integration.Patients.
    QStringList makePatients(qint64 hospitalId, int count)
    {
        const QStringList ids =
            fixture->insertPatients(hospitalId, QStringLiteral("Ipd"), m_patientSerial + 1, count);
        m_patientSerial += count;
        return ids;
    }

    static QByteArray admissionBody(const QString &patientId,
                                    const QString &bedId,
                                    const QString &reason = QStringLiteral("Observation"))
    {
        return jsonBytes({{QStringLiteral("patientId"), patientId},
                          {QStringLiteral("bedId"), bedId},
                          {QStringLiteral("reason"), reason}});
    }

    RawResponse admit(const QString &patientId, const QString &bedId, QByteArray token = {})
    {
        return send("POST", api::Admissions, token.isEmpty() ? desk : token,
                    admissionBody(patientId, bedId));
    }

    /// The bed's row as the superuser sees it: "status" or "" when absent.
    QString bedStatus(const QString &bedId) const
    {
        pqxx::connection connection(fixture->superuserUrl());
        pqxx::work tx(connection);
        const pqxx::result r =
            tx.exec_params("SELECT status FROM beds WHERE id = $1", bedId.toLongLong());
        return r.empty() ? QString() : QString::fromStdString(r[0][0].as<std::string>());
    }

    qint64 count(const std::string &sql) const { return fixture->count(sql); }

private:
    int m_patientSerial = 0;
};

} // namespace hms::test::ipd

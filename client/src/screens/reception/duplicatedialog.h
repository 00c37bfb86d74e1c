#pragma once

#include <QDialog>
#include <QJsonArray>

class QLineEdit;
class QPushButton;

namespace hms::client {

/// Shows the patients the server thinks may be the same person (409 possible-duplicate or
/// already-registered). With \a canOverride, the user may register anyway after giving a
/// reason, which the server records in the audit log.
class DuplicateDialog : public QDialog
{
    Q_OBJECT

public:
    DuplicateDialog(const QJsonArray &candidates, bool canOverride, QWidget *parent = nullptr);

Q_SIGNALS:
    void registerAnywayRequested(const QString &reason);

private:
    QLineEdit *m_reason = nullptr;
    QPushButton *m_registerAnyway = nullptr;
};

} // namespace hms::client

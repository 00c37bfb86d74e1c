#include "screens/reception/duplicatedialog.h"

#include "screens/common/widgets.h"
#include "shared/patients/patientrules.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace hms::client {

DuplicateDialog::DuplicateDialog(const QJsonArray &candidates, bool canOverride, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("duplicateDialog"));
    setWindowTitle(tr("Possible duplicate"));
    auto *layout = new QVBoxLayout(this);
    QLabel *intro = plainLabel(
        QStringLiteral("duplicateIntro"), this,
        canOverride ? tr("This patient may already be registered. Check the candidates below; "
                         "if none is the same person, register anyway and say why.")
                    : tr("A patient with this national id is already registered."));
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *table = new QTableWidget(int(candidates.size()), 4, this);
    table->setObjectName(QStringLiteral("candidateTable"));
    table->setAccessibleName(tr("Candidates"));
    table->setHorizontalHeaderLabels({tr("MRN"), tr("Name"), tr("Date of birth"), tr("Phone")});
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->verticalHeader()->setVisible(false);
    table->horizontalHeader()->setStretchLastSection(true);
    namespace K = hms::patientkeys;
    for (int row = 0; row < candidates.size(); ++row) {
        const QJsonObject candidate = candidates.at(row).toObject();
        const char *keys[] = {K::Mrn, K::FullName, K::BirthDate, K::Phone};
        for (int column = 0; column < 4; ++column)
            table->setItem(
                row, column,
                new QTableWidgetItem(candidate.value(QLatin1String(keys[column])).toString()));
    }
    table->resizeColumnsToContents();
    layout->addWidget(table, 1);

    auto *buttons = new QDialogButtonBox(this);
    QPushButton *back = buttons->addButton(tr("&Back to the form"), QDialogButtonBox::RejectRole);
    back->setObjectName(QStringLiteral("backButton"));
    if (canOverride) {
        m_reason = new QLineEdit(this);
        m_reason->setObjectName(QStringLiteral("overrideReasonEdit"));
        m_reason->setAccessibleName(tr("Reason to register anyway"));
        m_reason->setPlaceholderText(tr("Why is this a different person?"));
        m_reason->setMaxLength(hms::patientlimits::OverrideReasonMax);
        layout->addWidget(plainLabel(QStringLiteral("reasonLabel"), this, tr("Reason:")));
        layout->addWidget(m_reason);
        m_registerAnyway = buttons->addButton(tr("Register &anyway"), QDialogButtonBox::AcceptRole);
        m_registerAnyway->setObjectName(QStringLiteral("registerAnywayButton"));
        m_registerAnyway->setEnabled(false);
        connect(m_reason, &QLineEdit::textChanged, this, [this](const QString &text) {
            m_registerAnyway->setEnabled(!text.trimmed().isEmpty());
        });
        connect(m_registerAnyway, &QPushButton::clicked, this, [this]() {
            Q_EMIT registerAnywayRequested(m_reason->text().trimmed());
            accept();
        });
    }
    connect(back, &QPushButton::clicked, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(640, 360);
}

} // namespace hms::client

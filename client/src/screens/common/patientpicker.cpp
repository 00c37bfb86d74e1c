#include "screens/common/patientpicker.h"

#include "models/patientsearchmodel.h"

#include <QLineEdit>
#include <QListView>
#include <QTimer>
#include <QVBoxLayout>

namespace hms::client {

PatientPicker::PatientPicker(ApiClient &api, const QString &objectNamePrefix, QWidget *parent)
    : QWidget(parent)
    , m_model(new PatientSearchModel(api, this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_search = new QLineEdit(this);
    m_search->setObjectName(objectNamePrefix + QStringLiteral("PatientSearch"));
    m_search->setAccessibleName(tr("Patient search"));
    m_search->setPlaceholderText(tr("Patient: name, MRN or phone"));
    m_search->setClearButtonEnabled(true);
    m_list = new QListView(this);
    m_list->setObjectName(objectNamePrefix + QStringLiteral("PatientList"));
    m_list->setAccessibleName(tr("Matching patients"));
    m_list->setModel(m_model);
    m_list->setModelColumn(int(PatientSearchModel::Column::FullName));
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    layout->addWidget(m_search);
    layout->addWidget(m_list, 1);
    setFocusProxy(m_search);

    auto *debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(250);
    connect(m_search, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    connect(debounce, &QTimer::timeout, this, [this]() {
        m_model->setQuery(m_search->text());
    });
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &PatientPicker::patientChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, &PatientPicker::patientChanged);
}

QString PatientPicker::patientId() const
{
    const QModelIndex current = m_list->currentIndex();
    return current.isValid() ? current.data(PatientSearchModel::IdRole).toString() : QString();
}

QString PatientPicker::patientName() const
{
    const QModelIndex current = m_list->currentIndex();
    return current.isValid() ? current.siblingAtColumn(int(PatientSearchModel::Column::FullName))
                                   .data(PatientSearchModel::RawValueRole)
                                   .toString()
                             : QString();
}

} // namespace hms::client

#pragma once

#include "app/clientcontext.h"

#include <QList>
#include <QWidget>

class QComboBox;
class QGridLayout;
class QLabel;
class QToolButton;

namespace hms::client {

struct LiveEvent;
class BedModel;
class WardFeed;

/// The ward bed board: a grid of beds coloured by status, live from beds:<wardId> events.
/// The admission desk (AdmissionScreen) shows one to pick the bed from.
class BedBoardScreen : public QWidget
{
    Q_OBJECT

public:
    explicit BedBoardScreen(const ClientContext &context, QWidget *parent = nullptr);
    ~BedBoardScreen() override;

    BedModel *model() const { return m_model; }

    /// The grid button of \a bedId (nullptr when absent).
    QToolButton *bedButton(const QString &bedId) const;

    QString wardId() const;

    /// The id of the selected bed; empty when none is.
    QString selectedBedId() const { return m_selectedBed; }

    /// Selects the bed \a bedId of the shown ward; false when it is not on the board.
    bool selectBedById(const QString &bedId);

    /// Reads the ward's beds again (the snapshot; live events keep it current).
    void reload();

Q_SIGNALS:
    /// A bed was selected, or the selected bed changed status.
    void selectionChanged();

private:
    void onWardChanged();
    void rebuildGrid();
    void recolor(int row);
    void onEvent(const LiveEvent &event);
    void selectBed(int row);

    ClientContext m_context;
    BedModel *m_model = nullptr;
    QComboBox *m_ward = nullptr;
    QWidget *m_gridHost = nullptr;
    QGridLayout *m_grid = nullptr;
    QList<QToolButton *> m_buttons; ///< one per model row
    QLabel *m_bedDetails = nullptr;
    QLabel *m_status = nullptr;
    WardFeed *m_feed = nullptr;
    QString m_selectedBed;
    int m_generation = 0;
};

} // namespace hms::client

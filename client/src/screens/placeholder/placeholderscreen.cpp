#include "screens/placeholder/placeholderscreen.h"

#include <QLabel>
#include <QVBoxLayout>

namespace hms::client {

PlaceholderScreen::PlaceholderScreen(const QString &title,
                                     const QString &description,
                                     QWidget *parent)
    : QWidget(parent)
{
    setAccessibleName(title);
    auto *layout = new QVBoxLayout(this);
    auto *heading = new QLabel(title, this);
    heading->setTextFormat(Qt::PlainText);
    heading->setObjectName(QStringLiteral("screenTitle"));
    QFont font = heading->font();
    font.setPointSizeF(font.pointSizeF() * 1.6);
    font.setBold(true);
    heading->setFont(font);
    auto *text = new QLabel(description, this);
    text->setTextFormat(Qt::PlainText);
    text->setWordWrap(true);
    auto *soon = new QLabel(tr("This screen is coming in a later release."), this);
    soon->setTextFormat(Qt::PlainText);
    soon->setEnabled(false);
    layout->addWidget(heading);
    layout->addWidget(text);
    layout->addWidget(soon);
    layout->addStretch();
}

} // namespace hms::client

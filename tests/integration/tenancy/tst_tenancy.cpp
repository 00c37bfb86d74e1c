#include <QTest>
class Stub : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void stub() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(Stub)
#include "tst_tenancy.moc"

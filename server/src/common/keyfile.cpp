#include "common/keyfile.h"

#include <QFile>

#include <sys/stat.h>

#include <algorithm>

#include <sodium.h>
#include <unistd.h>

namespace hms::server {

namespace {

constexpr qsizetype MaxKeyFileBytes = 64LL * 1024;
constexpr qsizetype MaxKeyIdLength = 64;
constexpr auto Base64UrlOptions = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

bool isBase64UrlChar(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
        || c == '_';
}

bool isValidKeyId(QByteArrayView keyId)
{
    return !keyId.isEmpty() && keyId.size() <= MaxKeyIdLength
        && std::all_of(keyId.begin(), keyId.end(), isBase64UrlChar);
}

// Creates the file with mode 0600 holding \a line. False when it exists already (another
// process may have won the race) or cannot be written; \a error says which.
bool createKeyFile(const QString &path, QByteArray line, QString &error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly,
                   QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        error = file.errorString();
        wipeBytes(line);
        return false;
    }
    const bool written =
        file.write(line) == line.size() && file.flush() && ::fsync(file.handle()) == 0;
    wipeBytes(line);
    if (!written) {
        error = file.errorString();
        file.close();
        file.remove();
        return false;
    }
    return true;
}

} // namespace

Problem keyFileProblem(const QString &what, const QString &path, const QString &reason)
{
    return Problem::fromType(problems::InternalError,
                             QStringLiteral("%1 %2: %3").arg(what, path, reason));
}

Problem refuseKeyFile(KeyFileContents &contents,
                      const QString &what,
                      const QString &path,
                      const QString &reason)
{
    for (KeyFileEntry &entry : contents.entries)
        wipeBytes(entry.key);
    return keyFileProblem(what, path, reason);
}

Result<KeyFileContents> readSecretKeyFile(const QString &path,
                                          const QString &what,
                                          qsizetype newKeyBytes,
                                          qsizetype minKeyBytes,
                                          qsizetype maxKeyBytes)
{
    Result<KeyFileContents> file = readKeyFile(path, what, [newKeyBytes] {
        QByteArray secret = randomKeyBytes(newKeyBytes);
        const QByteArray line = newKeyId() + ':' + encodeBase64Url(secret) + '\n';
        wipeBytes(secret);
        return line;
    });
    if (!file)
        return file.problem();
    KeyFileContents contents = std::move(file).value();
    auto refuse = [&](const QString &reason) {
        return refuseKeyFile(contents, what, path, reason);
    };
    // Every line is a secret: nobody but the owner may read the file (SECURITY.md X4).
    if (contents.othersMayAccess)
        return refuse(QStringLiteral("group or others may access it (mode %1); run chmod 600 on it")
                          .arg(contents.mode, 4, 8, QLatin1Char('0')));
    for (const KeyFileEntry &entry : std::as_const(contents.entries)) {
        if (entry.key.size() < minKeyBytes)
            return refuse(
                QStringLiteral("key %1 is shorter than %2 bytes").arg(entry.id).arg(minKeyBytes));
        if (maxKeyBytes > 0 && entry.key.size() > maxKeyBytes)
            return refuse(
                QStringLiteral("key %1 is longer than %2 bytes").arg(entry.id).arg(maxKeyBytes));
    }
    return contents;
}

Result<KeyFileContents>
readKeyFile(const QString &path, const QString &what, const std::function<QByteArray()> &newLine)
{
    auto problem = [&](const QString &reason) {
        return keyFileProblem(what, path, reason);
    };
    if (sodium_init() < 0)
        return problem(QStringLiteral("libsodium could not be initialised"));

    const QByteArray nativePath = QFile::encodeName(path);
    struct stat info = {};
    if (::stat(nativePath.constData(), &info) != 0) {
        if (!newLine)
            return problem(QStringLiteral("does not exist"));
        QString error;
        if (!createKeyFile(path, newLine(), error) && ::stat(nativePath.constData(), &info) != 0)
            return problem(QStringLiteral("cannot create it: %1").arg(error));
        if (::stat(nativePath.constData(), &info) != 0)
            return problem(QStringLiteral("vanished after it was created"));
    }
    if (!S_ISREG(info.st_mode))
        return problem(QStringLiteral("not a regular file"));

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return problem(QStringLiteral("cannot read it: %1").arg(file.errorString()));
    QByteArray content = file.read(MaxKeyFileBytes + 1);
    file.close();
    if (content.size() > MaxKeyFileBytes) {
        wipeBytes(content);
        return problem(QStringLiteral("larger than 64 KiB"));
    }

    KeyFileContents contents;
    contents.mode = int(info.st_mode & 07777);
    contents.othersMayAccess = (info.st_mode & (S_IRWXG | S_IRWXO)) != 0;
    std::optional<QString> failure;
    int lineNumber = 0;
    for (qsizetype start = 0; start < content.size() && !failure;) {
        qsizetype end = content.indexOf('\n', start);
        if (end < 0)
            end = content.size();
        const QByteArrayView line = QByteArrayView(content).sliced(start, end - start).trimmed();
        start = end + 1;
        ++lineNumber;
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype colon = line.indexOf(':');
        const QByteArrayView keyId = colon < 0 ? QByteArrayView() : line.first(colon);
        if (!isValidKeyId(keyId)) {
            failure = QStringLiteral("line %1 is not kid:base64url-key (kid of A-Z a-z 0-9 - _, "
                                     "at most 64)")
                          .arg(lineNumber);
            break;
        }
        std::optional<QByteArray> key = decodeBase64Url(line.sliced(colon + 1));
        if (!key) {
            failure = QStringLiteral("line %1: the key is not unpadded base64url").arg(lineNumber);
            break;
        }
        const QString id = QString::fromLatin1(keyId);
        if (std::any_of(contents.entries.cbegin(), contents.entries.cend(),
                        [&](const KeyFileEntry &entry) {
                            return entry.id == id;
                        })) {
            wipeBytes(*key);
            failure = QStringLiteral("line %1 repeats a kid").arg(lineNumber);
            break;
        }
        contents.entries.append({id, std::move(*key)});
    }
    wipeBytes(content);
    if (!failure && contents.entries.isEmpty())
        failure = QStringLiteral("holds no key");
    if (failure) {
        for (KeyFileEntry &entry : contents.entries)
            wipeBytes(entry.key);
        return problem(*failure);
    }
    return contents;
}

std::optional<QByteArray> decodeBase64Url(QByteArrayView text)
{
    if (text.isEmpty() || text.size() % 4 == 1)
        return std::nullopt;
    if (!std::all_of(text.begin(), text.end(), isBase64UrlChar))
        return std::nullopt;
    const QByteArray encoded = text.toByteArray();
    auto result = QByteArray::fromBase64Encoding(
        encoded, Base64UrlOptions | QByteArray::AbortOnBase64DecodingErrors);
    if (!result || result.decoded.toBase64(Base64UrlOptions) != encoded)
        return std::nullopt;
    return std::move(result.decoded);
}

QByteArray encodeBase64Url(QByteArrayView bytes)
{
    return bytes.toByteArray().toBase64(Base64UrlOptions);
}

QByteArray randomKeyBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    randombytes_buf(bytes.data(), std::size_t(bytes.size()));
    return bytes;
}

QByteArray newKeyId()
{
    return randomKeyBytes(4).toHex();
}

void wipeBytes(QByteArray &bytes)
{
    if (!bytes.isEmpty())
        sodium_memzero(bytes.data(), std::size_t(bytes.size()));
    bytes.clear();
}

} // namespace hms::server

#pragma once

#include "shared/core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace hms::server {

/// One line of a key file: "kid:base64url(key bytes)".
struct KeyFileEntry
{
    QString id;
    QByteArray key; ///< secret material: the owner wipes it (wipeBytes) when done
};

/// What readKeyFile() found. Problems (500) name the file and the reason, never key bytes.
struct KeyFileContents
{
    QList<KeyFileEntry> entries; ///< in file order; the first one signs by convention
    bool othersMayAccess = false; ///< group or other permission bits are set
    int mode = 0; ///< st_mode & 07777, for messages
};

/// Reads a key file of "kid:base64url" lines, the one format every HMS key file uses (JWT
/// signing keys, audit checkpoint keys): a regular file of at most 64 KiB, blank lines and
/// '#' comments skipped, kid of A-Z a-z 0-9 - _ (at most 64), strict unpadded base64url, no
/// repeated kid, at least one key. When the file does not exist and \a newLine is given, it
/// is first created with mode 0600 holding newLine() (race-safe: O_EXCL, fsync). \a what
/// names the file in problems ("JWT key file"). Permission policy is the caller's.
Result<KeyFileContents> readKeyFile(const QString &path,
                                    const QString &what,
                                    const std::function<QByteArray()> &newLine = {});

/// readKeyFile() for shared secrets (JWT signing keys, the password pepper): created when
/// missing with one random key of \a newKeyBytes; refused, with what was read wiped, when
/// group or others may access the file or a key is shorter than \a minKeyBytes or longer
/// than \a maxKeyBytes (0: no upper bound).
Result<KeyFileContents> readSecretKeyFile(const QString &path,
                                          const QString &what,
                                          qsizetype newKeyBytes,
                                          qsizetype minKeyBytes,
                                          qsizetype maxKeyBytes = 0);

/// A Problem about key file \a path for readKeyFile()'s callers.
/// refuseKeyFile() also wipes every key of \a contents first (the caller is refusing them).
Problem refuseKeyFile(KeyFileContents &contents,
                      const QString &what,
                      const QString &path,
                      const QString &reason);
Problem keyFileProblem(const QString &what, const QString &path, const QString &reason);

/// Strict base64url without padding: only the 64 URL-safe characters, and the canonical
/// encoding of what it decodes to (unused trailing bits zero).
std::optional<QByteArray> decodeBase64Url(QByteArrayView text);
QByteArray encodeBase64Url(QByteArrayView bytes);

/// \a size bytes from libsodium's CSPRNG.
QByteArray randomKeyBytes(qsizetype size);

/// A fresh kid: 8 random hex digits.
QByteArray newKeyId();

/// Overwrites and clears \a bytes (sodium_memzero).
void wipeBytes(QByteArray &bytes);

} // namespace hms::server

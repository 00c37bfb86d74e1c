#pragma once

#include "shared/core/result.h"

#include <QString>

namespace hms::server {

/// Length limits in Unicode code points, counted after NFKC normalisation (the form the
/// hasher hashes). Longer passwords are refused, never truncated (SECURITY.md A2).
constexpr int MinPasswordLength = 12;
constexpr int MaxPasswordLength = 128;

/// Checks a new password against the rules of SECURITY.md A2, in this order:
/// 12 to 128 code points; not the user name or hospital code (case-insensitive), and not
/// containing a user name of 4 or more code points; not common (isCommonPassword()).
/// Unicode, spaces and emoji are allowed. A failure is a 422 problems::ValidationFailed
/// with one field error on "password" whose English message names the rule.
/// Thread-safe; the first call loads the deny list.
Result<>
checkPasswordPolicy(const QString &password, const QString &username, const QString &hospitalCode);

/// True when \a password, NFKC-normalised and case-folded, is on the shipped deny list
/// (resources/auth/common-passwords.txt) or is a trivial variation of an entry:
/// - the core, i.e. the password with its leading and trailing non-letters (digits,
///   punctuation, spaces, emoji) removed, is on the list: "Password1234", "Summer2024!!";
/// - the same after undoing common substitutions (0→o, 1→i, 3→e, 4 and @→a, 5 and $→s,
///   7→t): "P@ssw0rd2024";
/// - the password or its core repeats one unit that is on the list or is at most 3 code
///   points long: "qwertyqwerty", "abcabcabcabc", "111111111111";
/// - the password is a straight run of code points, up or down, digits wrapping 9↔0:
///   "123456789012", "abcdefghijkl".
bool isCommonPassword(const QString &password);

/// Number of entries on the deny list (for tests and the startup log).
qsizetype passwordDenyListSize();

} // namespace hms::server

#pragma once

namespace hms::server {

/// One message format for every server-side executable: UTC time, level, category.
/// Messages never carry PHI; see README "Logging categories".
void installLogFormat();

} // namespace hms::server

#pragma once

namespace hms::api {

/// Every REST path template, defined once for the server's route table and the client.
inline constexpr char Base[] = "/api/v1";
inline constexpr char Health[] = "/api/v1/health";
inline constexpr char Live[] = "/api/v1/live";

inline constexpr char AuthLogin[] = "/api/v1/auth/login";
inline constexpr char AuthRefresh[] = "/api/v1/auth/refresh";
inline constexpr char AuthLogout[] = "/api/v1/auth/logout";
inline constexpr char AuthMe[] = "/api/v1/auth/me";

inline constexpr char AdminUsers[] = "/api/v1/admin/users";
inline constexpr char AdminUser[] = "/api/v1/admin/users/{id}";
inline constexpr char Audit[] = "/api/v1/audit";

inline constexpr char Patients[] = "/api/v1/patients";
inline constexpr char Patient[] = "/api/v1/patients/{id}";

} // namespace hms::api

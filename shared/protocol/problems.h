#pragma once

namespace hms {

/// One kind of error the API can answer with (RFC 9457 `type`). The slug is
/// stable forever: never reuse or renumber a retired one.
struct ProblemType
{
    const char *slug;
    int status;
    const char *title;
};

/// The registry of problem types. The client maps `type` to a translated message.
namespace problems {
inline constexpr ProblemType MalformedRequest{"malformed-request", 400, "Malformed request"};
inline constexpr ProblemType MalformedJson{"malformed-json", 400, "Malformed JSON"};
inline constexpr ProblemType Unauthenticated{"unauthenticated", 401, "Authentication required"};
inline constexpr ProblemType Forbidden{"forbidden", 403, "Not allowed"};
inline constexpr ProblemType NotFound{"not-found", 404, "Not found"};
inline constexpr ProblemType QueueEmpty{"queue-empty", 404, "Nobody is waiting"};
inline constexpr ProblemType MethodNotAllowed{"method-not-allowed", 405, "Method not allowed"};
inline constexpr ProblemType NotAcceptable{"not-acceptable", 406, "Not acceptable"};
inline constexpr ProblemType RequestTimeout{"request-timeout", 408, "Request timeout"};
inline constexpr ProblemType Conflict{"conflict", 409, "Conflict"};
inline constexpr ProblemType PossibleDuplicate{"possible-duplicate", 409,
                                               "Possible duplicate patient"};
inline constexpr ProblemType AlreadyRegistered{"already-registered", 409, "Already registered"};
inline constexpr ProblemType InvalidTransition{"invalid-transition", 409,
                                               "Not allowed from the current state"};
inline constexpr ProblemType IdempotencyInProgress{"idempotency-in-progress", 409,
                                                   "Request with this Idempotency-Key in progress"};
inline constexpr ProblemType LengthRequired{"length-required", 411, "Length required"};
inline constexpr ProblemType PreconditionFailed{"precondition-failed", 412, "Stale version"};
inline constexpr ProblemType BodyTooLarge{"body-too-large", 413, "Request body too large"};
inline constexpr ProblemType UriTooLong{"uri-too-long", 414, "URI too long"};
inline constexpr ProblemType UnsupportedMediaType{"unsupported-media-type", 415,
                                                  "Unsupported media type"};
inline constexpr ProblemType ExpectationFailed{"expectation-failed", 417, "Expectation failed"};
inline constexpr ProblemType IdempotencyKeyReused{"idempotency-key-reused", 422,
                                                  "Idempotency-Key used for another request"};
inline constexpr ProblemType ValidationFailed{"validation-failed", 422, "Invalid fields"};
inline constexpr ProblemType UpgradeRequired{"upgrade-required", 426, "Upgrade required"};
inline constexpr ProblemType PreconditionRequired{"precondition-required", 428,
                                                  "If-Match required"};
inline constexpr ProblemType RateLimited{"rate-limited", 429, "Too many requests"};
inline constexpr ProblemType HeadersTooLarge{"headers-too-large", 431,
                                             "Request header fields too large"};
inline constexpr ProblemType InternalError{"internal-error", 500, "Internal server error"};
inline constexpr ProblemType NotImplemented{"not-implemented", 501, "Not implemented"};
inline constexpr ProblemType HttpVersionNotSupported{"http-version-not-supported", 505,
                                                     "HTTP version not supported"};
inline constexpr ProblemType ServiceUnavailable{"service-unavailable", 503,
                                                "Service temporarily unavailable"};
inline constexpr ProblemType DatabaseUnavailable{"database-unavailable", 503,
                                                 "Database unavailable"};
} // namespace problems

} // namespace hms

#pragma once

namespace hms::server {

class Router;
class DocumentService;

/// /api/v1/patients/{id}/documents: write a clinical document (POST), list the patient's
/// documents (GET ?kind=&limit=&cursor=), read one (GET .../{docId}, ETag = version), its
/// history (GET .../{docId}/versions) and add a version (POST .../{docId}/versions with
/// If-Match). clinical.read for GET, clinical.write for POST. \a service must outlive the
/// router.
void registerDocumentRoutes(Router &router, DocumentService &service);

} // namespace hms::server

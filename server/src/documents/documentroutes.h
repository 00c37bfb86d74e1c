#pragma once

#include "documents/documentstore.h"

#include <QJsonObject>
#include <QString>

namespace hms::server {

class Router;
class DocumentService;
class QueryReader;

/// The optional "cursor" query parameter of a document list (the store decodes it; an empty
/// one is an error here). Empty when absent.
QString readDocumentCursor(QueryReader &reader);

/// A page of documents as answered: {"items": [...], "nextCursor" (only when there is more)}.
QJsonObject documentPageJson(const DocumentPage &page);

/// /api/v1/patients/{id}/documents: write a clinical document (POST), list the patient's
/// documents (GET ?kind=&limit=&cursor=), read one (GET .../{docId}, ETag = version), its
/// history (GET .../{docId}/versions) and add a version (POST .../{docId}/versions with
/// If-Match). clinical.read for GET, clinical.write for POST. \a service must outlive the
/// router.
void registerDocumentRoutes(Router &router, DocumentService &service);

} // namespace hms::server

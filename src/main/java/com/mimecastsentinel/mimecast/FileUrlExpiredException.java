package com.mimecastsentinel.mimecast;

/** A pre-signed file URL answered 403 or 404: it expired, and listing the page again gives fresh URLs. */
public class FileUrlExpiredException extends MimecastException {
    public FileUrlExpiredException(String path, int status) {
        super("file URL " + path + " expired (HTTP " + status + ")", status, true);
    }
}

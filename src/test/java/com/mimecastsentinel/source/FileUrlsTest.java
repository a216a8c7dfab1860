package com.mimecastsentinel.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class FileUrlsTest {
    private final FileUrls strict = new FileUrls(List.of(), List.of());

    @Test
    void aPreSignedHttpsUrlOnAPublicHostPassesAsItCame() {
        String url = "https://mimecast-siem.s3.eu-west-1.amazonaws.com/cg/2026/12/06/10.json.gz"
                + "?X-Amz-Signature=abc%2Bdef&X-Amz-Expires=900";
        assertEquals(url, strict.check(url).toString(), "not encoded again: the signature stays valid");
        assertEquals("https://8.8.8.8/f.gz", strict.check("https://8.8.8.8/f.gz").toString());
        assertEquals("https://127.cdn.example/f.gz", strict.check("https://127.cdn.example/f.gz").toString(),
                "a DNS name that starts with 127. is a DNS name");
        assertTrue(strict.check("https://files.example.com:443/%7B%7Benv:HOME%7D%7D.gz") != null,
                "percent-encoded braces are data: nothing resolves them");
    }

    @Test
    void whatCouldBeAnExpressionOrIsNotAUriIsRefused() {
        for (String url : List.of("https://files.example.com/{{env:HOME}}.json.gz",
                "https://files.example.com/f.json.gz?sig={{bean:x.y}}", "https://files.example.com/${body}",
                "https://files.example.com/a file.gz", "https://files.example.com/f.gz\n",
                "https://files.example.com/f\u00e4.gz", "https://files.example.com/f|g.gz", "/relative/path.gz",
                "mailto:someone@example.com", "", "https://files.example.com/" + "a".repeat(FileUrls.MAX_LENGTH))) {
            assertThrows(FileUrls.Refused.class, () -> strict.check(url), url);
        }
    }

    @Test
    void onlyHttpsToAPublicHostOnItsDefaultPort() {
        for (String url : List.of("http://files.example.com/f.gz", "ftp://files.example.com/f.gz",
                "https://user:pw@files.example.com/f.gz", "https://files.example.com:8443/f.gz",
                "https://localhost/f.gz", "https://127.0.0.1/f.gz", "https://10.0.0.5/f.gz",
                "https://169.254.169.254/latest/meta-data/", "https://[::1]/f.gz", "https://2130706433/f.gz",
                "https://0x7f.1/f.gz", "https://metadata.google.internal/f.gz", "https://kubernetes.default.svc/f.gz",
                "https://simulator/f.gz", "https://[64:ff9b::a9fe:a9fe]/f.gz")) {
            FileUrls.Refused refused = assertThrows(FileUrls.Refused.class, () -> strict.check(url), url);
            assertFalse(refused.getMessage().contains("f.gz"), "the URL is not in the message: " + refused);
        }
    }

    @Test
    void hostsTheSettingsNameMayBeLocalOnAnyPort() {
        FileUrls local = new FileUrls(List.of("simulator"), List.of("localhost", "10.0.0.5"));
        assertTrue(local.check("https://localhost:8443/f.gz") != null);
        assertTrue(local.check("http://localhost:8080/f.gz") != null, "plain http to loopback named as private");
        assertTrue(local.check("https://10.0.0.5:9000/f.gz") != null);
        assertThrows(FileUrls.Refused.class, () -> local.check("http://10.0.0.5/f.gz"), "http needs the http list");
        assertTrue(local.check("http://simulator:8080/siem-files/cg/1.json.gz") != null);
        assertThrows(FileUrls.Refused.class, () -> local.check("https://10.0.0.6/f.gz"));
    }

    @Test
    void aKeyIsThePathOrForARefusedEntryAHashWithoutItsQuery() {
        assertEquals("/cg/1.json.gz", FileUrls.key("https://files.example.com/cg/1.json.gz?sig=a"));
        String bad = FileUrls.refusedKey("https://files.example.com/{{env:HOME}}.gz?sig=a");
        assertTrue(bad.startsWith("refused:"), bad);
        assertEquals(bad, FileUrls.refusedKey("https://files.example.com/{{env:HOME}}.gz?sig=other"),
                "stable across listings: the signature is not part of it");
        assertFalse(FileUrls.refusedKey("http://10.0.0.5/cg/1.json.gz").equals("/cg/1.json.gz"),
                "never the path of a file the listing may hold");
        assertEquals("https://files.example.com/{{env:HOME}}.gz",
                FileUrls.withoutQuery("https://files.example.com/{{env:HOME}}.gz?sig=secret"));
    }
}

package com.mimecastsentinel.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {

    @Test
    void credentialShapesAreMaskedAndTheRestOfTheLineKept() {
        assertEquals("sent Authorization: Bearer *** to /api/audit",
                Secrets.mask("sent Authorization: Bearer eyJraWQiOiJ4.abc-def_123 to /api/audit"));
        assertEquals("{Authorization=MC ***, x-mc-app-id=app}",
                Secrets.mask("{Authorization=MC AKEY-12345:Zm9vYmFyYmF6PQ==, x-mc-app-id=app}"));
        assertEquals("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=***;EndpointSuffix=core.windows.net",
                Secrets.mask("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=abc+/def==;"
                        + "EndpointSuffix=core.windows.net"));
        assertEquals("BlobEndpoint=https://a.blob.core.windows.net;SharedAccessSignature=***",
                Secrets.mask("BlobEndpoint=https://a.blob.core.windows.net;SharedAccessSignature=sv=2022-11-02&ss=b&sig=AbC%2Bd"));
        assertEquals("GET https://files.example/cg/1.json.gz?se=2024-06-05&sig=*** 200",
                Secrets.mask("GET https://files.example/cg/1.json.gz?se=2024-06-05&sig=QmFy%3D 200"));
        assertEquals("https://bucket.s3.amazonaws.com/f.gz?X-Amz-Date=20240605T1150Z&X-Amz-Signature=***",
                Secrets.mask("https://bucket.s3.amazonaws.com/f.gz?X-Amz-Date=20240605T1150Z&X-Amz-Signature=0a1b2c"));
        assertEquals("client_id=c&client_secret=***&grant_type=client_credentials",
                Secrets.mask("client_id=c&client_secret=s3cr3t%2B&grant_type=client_credentials"));
        assertEquals("{\"token_type\":\"Bearer\",\"access_token\":\"***\",\"expires_in\":1800}",
                Secrets.mask("{\"token_type\":\"Bearer\",\"access_token\":\"b9f1c0de-5d8e-4c7a-9f00-6f6b2a1c3e77\",\"expires_in\":1800}"));
        assertEquals("assertion ***", Secrets.mask("assertion eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"));
        assertEquals("nothing secret here: 204 from /dataCollectionRules/dcr-1",
                Secrets.mask("nothing secret here: 204 from /dataCollectionRules/dcr-1"));
    }

    @Test
    void configuredAndIssuedValuesAreMaskedAsTheyAreAndEncoded() {
        Secrets.register("v4lue+with/special=chars");
        Secrets.registerIssued("issued-token-42");
        assertEquals("value *** and *** and *** end", Secrets.mask(
                "value v4lue+with/special=chars and v4lue%2Bwith%2Fspecial%3Dchars and issued-token-42 end"));
        assertEquals("{\"note\":\"***\"}", Secrets.mask("{\"note\":\"v4lue+with\\/special=chars\"}"));
    }

    @Test
    void dataKeepsItsShapesButNotOurValues() {
        Secrets.register("our-own-secret-value");
        assertEquals("{\"subject\":\"Bearer of good news\",\"x\":\"***\"}",
                Secrets.maskValues("{\"subject\":\"Bearer of good news\",\"x\":\"our-own-secret-value\"}"));
    }

    @Test
    void secretsOfTheSettingsAreKnownBeforeAnythingReadsThem(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), "from-a-file-secret\n");
        Path properties = Files.writeString(dir.resolve("application.properties"),
                "mimecast.app-key = literal-app-key-value\nmimecast.access-key = {{env:MIMECAST_ACCESS_KEY:}}\n");
        Map<String, String> environment = Map.of("MIMECAST_CLIENT_SECRET", "from-a-variable-secret",
                "MIMECAST_SECRET_KEY_FILE", file.toString(),
                "AZURE_STORAGE_CONNECTION_STRING", "BlobEndpoint=http://h/a;SharedAccessSignature=sv=1&sig=sas-signature-1");
        Secrets.registerConfigured(environment::get, properties);
        String masked = Secrets.mask("a from-a-variable-secret b from-a-file-secret c literal-app-key-value d "
                + "sas-signature-1 e");
        assertEquals("a *** b *** c *** d *** e", masked);
        assertFalse(Secrets.mask("{{env:MIMECAST_ACCESS_KEY:}}").contains("***"), "placeholders are not values");
    }
}

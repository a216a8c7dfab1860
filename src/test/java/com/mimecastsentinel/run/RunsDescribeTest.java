package com.mimecastsentinel.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import com.mimecastsentinel.source.FileUrls;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

class RunsDescribeTest {

    @Test
    void aCallsFailureNamesItsPathStatusAndAnswer() {
        var failure = new HttpOperationFailedException("https://api.services.mimecast.com/siem/v1/batch/events/cg",
                503, "Service Unavailable", null, Map.of(), "{\"fail\":[{\"code\":\"busy\"}]}");
        assertEquals("Mimecast /siem/v1/batch/events/cg answered HTTP 503: {\"fail\":[{\"code\":\"busy\"}]}",
                Runs.describe(failure));
    }

    @Test
    void aFileUrlCutInsideAnEscapeIsStillDescribed() {
        // a failed download is named by its URL without the query, cut at 1024 characters: here inside a %2F
        String url = "https://files.example.com/" + "a".repeat(1022 - "https://files.example.com/".length())
                + "%2Fb.json.gz?X-Amz-Signature=secret";
        String named = FileUrls.withoutQuery(url);
        var failure = new HttpOperationFailedException(named, 500, "Internal Server Error", null, Map.of(), "");
        assertEquals("Mimecast " + named + " answered HTTP 500", Runs.describe(failure));
    }
}

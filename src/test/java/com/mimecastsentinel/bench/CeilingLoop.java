package com.mimecastsentinel.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.sentinel.LogsIngestion;

/**
 * The machine's ceiling for the SIEM path: the least work any connector must do per event, in a plain loop over
 * the same files: gunzip, parse (Jackson tree), serialize, gzip (at the
 * connector's level). Prints {@code events millis gzipBytes}.
 */
public final class CeilingLoop {
    private CeilingLoop() {
    }

    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Path> files;
        try (var listed = Files.list(Path.of(args[0]))) {
            files = listed.sorted().toList();
        }
        long events = 0;
        long start = System.nanoTime();
        CountingStream sink = new CountingStream();
        for (Path file : files) {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                    new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8), 1 << 16);
                    OutputStream out = LogsIngestion.gzip(sink)) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    JsonNode event = json.readTree(line);
                    out.write(json.writeValueAsBytes(event));
                    events++;
                }
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println(events + " " + millis + " " + sink.count);
    }

    /** Where the gzip goes: counted, not kept. */
    static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }

        @Override
        public void close() {
            // the next file writes on
        }
    }
}

package com.mimecastsentinel.sentinel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import com.mimecastsentinel.transform.RowBatch;

/**
 * Rows appended as NDJSON to {@code <dir>/<stream>.ndjson} (the demo, {@code SINK=file}), flushed to disk before the
 * batch counts as accepted. Threat indicators go to {@value #STIX_FILE}.ndjson.
 */
public final class FileOutput implements Destination {
    static final String STIX_FILE = "Stix-Indicators";
    private final Path directory;

    public FileOutput(Path directory) {
        this.directory = directory;
    }

    @Override
    public synchronized List<Rejected> send(String stream, RowBatch rows) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(rows.size() * 512);
        try {
            for (int i = 0; i < rows.size(); i++) {
                rows.writeJson(i, buffer);
                buffer.write('\n');
            }
            Files.createDirectories(directory);
            try (FileChannel out = FileChannel.open(file(stream), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer bytes = ByteBuffer.wrap(buffer.toByteArray());
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(false);
            }
            return List.of();
        } catch (IOException e) {
            throw new SinkException("cannot append to " + file(stream), e);
        }
    }

    /** The file can be appended to: the directory is there (or made) and a probe file is written and removed. */
    @Override
    public Probe probe(String stream) {
        try {
            requireWritable(directory);
            return new Probe(true, "rows of " + stream + " append to " + file(stream));
        } catch (IOException | RuntimeException e) {
            throw new Refused("cannot write in " + directory.toAbsolutePath().normalize() + " (" + e + ")",
                    "make OUTPUT_DIR a directory this user can write", e);
        }
    }

    /** The directory is there (or made) and this user can write in it: a probe file is written and removed. */
    public static void requireWritable(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path probe = Files.createTempFile(directory, ".check-", ".tmp");
        try {
            Files.writeString(probe, "check");
        } finally {
            Files.delete(probe);
        }
    }

    public Path file(String stream) {
        String name = SentinelEndpoint.THREAT_INTELLIGENCE.equals(stream) ? STIX_FILE : stream;
        return directory.resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".ndjson");
    }

    @Override
    public String describe() {
        return "files in " + directory.toAbsolutePath().normalize();
    }
}

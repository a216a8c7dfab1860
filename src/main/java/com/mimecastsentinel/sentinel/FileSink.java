package com.mimecastsentinel.sentinel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Rows appended as NDJSON to {@code <dir>/<stream>.ndjson}, flushed to disk before the batch counts as accepted. */
public final class FileSink implements EventSink {
    private final Path directory;
    private final ObjectMapper json;

    public FileSink(Path directory, ObjectMapper json) {
        this.directory = directory;
        this.json = json;
    }

    @Override
    public synchronized List<Rejected> send(String stream, List<ObjectNode> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            for (byte[] row : RowBatcher.jsonOf(rows, json)) { // a batch's rows as the batcher wrote them
                buffer.write(row);
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

    public Path file(String stream) {
        return directory.resolve(stream.replaceAll("[^A-Za-z0-9_.-]", "_") + ".ndjson");
    }

    @Override
    public String describe() {
        return "files in " + directory.toAbsolutePath().normalize();
    }
}

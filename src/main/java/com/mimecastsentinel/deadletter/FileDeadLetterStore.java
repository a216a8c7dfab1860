package com.mimecastsentinel.deadletter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Dead letters as files under a directory (local runs, the demo). */
public final class FileDeadLetterStore implements DeadLetters.Store {
    private final Path directory;

    public FileDeadLetterStore(Path directory) {
        this.directory = directory;
    }

    @Override
    public boolean write(String name, byte[] document) {
        Path file = directory.resolve(name);
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, document, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
            return true;
        } catch (java.nio.file.FileAlreadyExistsException written) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write dead letter " + file, e);
        }
    }

    @Override
    public String describe() {
        return "directory " + directory.toAbsolutePath().normalize();
    }
}

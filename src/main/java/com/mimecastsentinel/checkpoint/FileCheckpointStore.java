package com.mimecastsentinel.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Checkpoints as files for local runs: same contract as the blob store. The version tag is a hash of the content;
 * writes go to a temporary file that is flushed and atomically renamed, under a lock shared with other processes.
 */
public final class FileCheckpointStore implements CheckpointStore {
    private final Path directory;

    public FileCheckpointStore(Path directory) {
        this.directory = directory;
    }

    @Override
    public Optional<Stored> read(String name) {
        try {
            byte[] content = Files.readAllBytes(directory.resolve(name));
            return Optional.of(new Stored(content, tag(content)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + name, e);
        }
    }

    @Override
    public synchronized String write(String name, byte[] content, String expectedEtag) {
        Path target = directory.resolve(name);
        try {
            Files.createDirectories(target.getParent());
            try (FileChannel lockChannel = FileChannel.open(target.resolveSibling(target.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = lockChannel.lock()) {
                String current = Files.exists(target) ? tag(Files.readAllBytes(target)) : null;
                if (expectedEtag == null ? current != null : !expectedEtag.equals(current)) {
                    throw new CheckpointConflictException(name);
                }
                Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
                try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    out.write(ByteBuffer.wrap(content));
                    out.force(true);
                }
                try {
                    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
                }
                return tag(content);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + name, e);
        }
    }

    @Override
    public String describe() {
        return "directory " + directory.toAbsolutePath().normalize();
    }

    private static String tag(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package com.mimecastsentinel.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Leases as OS file locks on {@code <dir>/<logType>.lease}: released when the process ends, however it ends. */
public final class FileLeases implements Leases {
    private final Path directory;
    private final Map<String, FileLock> held = new ConcurrentHashMap<>();

    public FileLeases(Path directory) {
        this.directory = directory;
    }

    @Override
    public synchronized boolean tryHold(String logType) {
        if (held.containsKey(logType)) {
            return true;
        }
        try {
            // a declared account's lease (accounts/<name>, one for all its log types) is in the accounts' folder
            java.nio.file.Path lease = directory.resolve(logType + ".lease");
            Files.createDirectories(lease.getParent());
            FileChannel channel = FileChannel.open(lease, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    channel.close();
                    return false;
                }
                held.put(logType, lock);
                return true;
            } catch (OverlappingFileLockException | IOException e) {
                channel.close();
                if (e instanceof IOException io) {
                    throw io;
                }
                return false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + logType + ".lease", e);
        }
    }

    @Override
    public boolean holds(String logType) {
        return held.containsKey(logType);
    }

    @Override
    public synchronized void releaseAll() {
        held.values().forEach(lock -> {
            try {
                lock.channel().close();
            } catch (IOException ignored) {
                // the process ends soon: the OS releases it then
            }
        });
        held.clear();
    }

    @Override
    public String describe() {
        return "file locks in " + directory.toAbsolutePath().normalize();
    }
}

package com.mimecastsentinel.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.function.Supplier;

import com.mimecastsentinel.logging.Secrets;

/**
 * A secret in a file, read again when the file changed (Key Vault CSI and Kubernetes secrets rotate files in place):
 * the next use takes the new secret without a restart. Each value read is masked in the logs from then on.
 */
public final class SecretFile implements Supplier<String> {
    /** A secret is short: a file larger than this is not one. */
    private static final long MAX_BYTES = 16 * 1024;

    private final Path file;
    private final String setting;
    private FileTime read;
    private long size = -1;
    private String value;

    /** @param setting what names the file, for the error that a file cannot be read */
    public SecretFile(Path file, String setting) {
        this.file = file;
        this.setting = setting;
        get(); // a missing file stops start-up, naming the setting
    }

    @Override
    public synchronized String get() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            long bytes = Files.size(file);
            if (value == null || !modified.equals(read) || bytes != size) {
                if (bytes > MAX_BYTES) {
                    throw new ConfigurationException(setting, "names a file of " + bytes + " bytes: not a secret");
                }
                String content = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (content.isEmpty()) {
                    throw new ConfigurationException(setting, "names an empty file");
                }
                Secrets.register(content);
                value = content;
                read = modified;
                size = bytes;
            }
            return value;
        } catch (IOException e) {
            throw new ConfigurationException(setting, "names a file that cannot be read");
        }
    }
}

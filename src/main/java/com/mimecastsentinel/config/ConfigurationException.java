package com.mimecastsentinel.config;

/** A setting is missing or invalid. The message names the setting, never its value. */
public class ConfigurationException extends RuntimeException {
    private final String setting;

    public ConfigurationException(String setting, String problem) {
        super("Invalid configuration: " + setting + " " + problem);
        this.setting = setting;
    }

    public String setting() {
        return setting;
    }
}

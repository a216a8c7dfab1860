package com.mimecastsentinel.logtypes;

import java.time.Duration;
import java.time.LocalDate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.demo.MimecastSimulator;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.AzureFake;
import com.mimecastsentinel.support.SimulatedAccount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** Log type tests against a fresh {@link SimulatedAccount} per test. */
@ExtendWith(Azurite.class)
abstract class SimulatedAccountTest {
    protected final ObjectMapper json = new ObjectMapper();
    private final Duration eventInterval;
    protected SimulatedAccount account;
    protected MimecastSimulator simulator;
    protected AzureFake azure;
    protected LocalDate start;

    protected SimulatedAccountTest(Duration eventInterval) {
        this.eventInterval = eventInterval;
    }

    @BeforeEach
    void startAccount() {
        account = new SimulatedAccount(eventInterval);
        simulator = account.simulator;
        azure = account.azure;
        start = account.start;
    }

    @AfterEach
    void stopAccount() {
        account.close();
    }

    protected JsonNode checkpoint(String logType) throws Exception {
        return account.checkpoint(logType);
    }
}

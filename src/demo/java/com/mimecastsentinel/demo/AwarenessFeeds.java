package com.mimecastsentinel.demo;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.transform.EventTimes;

/**
 * The simulated Awareness Training datasets: a company of users, each with a record per dataset (performance
 * details, SAFE Score, watchlist, and their results in each phishing campaign) built from the user's number and
 * version, with the field names of the official tables (shared/reference/sentinel-tables.md, section 3). A test
 * changes a user ({@link #change}) to see the change, and only it, sent. The shape of {@code userDetails} is not in
 * the references: an object of the user's profile stands for it.
 */
public final class AwarenessFeeds {
    public static final String PERFORMANCE = "/api/awareness-training/company/get-performance-details";
    public static final String SAFE_SCORE = "/api/awareness-training/company/get-safe-score-details";
    public static final String WATCHLIST = "/api/awareness-training/company/get-watchlist-details";
    public static final String CAMPAIGNS = "/api/awareness-training/phishing/campaign/get-campaign";
    public static final String USER_DATA = "/api/awareness-training/phishing/campaign/get-user-data";
    public static final List<String> CAMPAIGN_IDS = List.of("cmp-2026-q3-invoice", "cmp-2026-q4-parcel");

    private static final String[] FIRST = { "Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi" };
    private static final String[] DEPARTMENTS = { "Finance", "Sales", "Engineering", "HR", "Operations" };
    private static final String[] GRADES = { "A", "B", "C", "D", "F" };
    private static final String[] TEMPLATES = { "Invoice overdue", "Parcel could not be delivered" };

    private final ObjectMapper json;
    private final Instant epoch = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(7, ChronoUnit.DAYS);
    private final Map<Integer, Integer> versions = new ConcurrentHashMap<>();
    private volatile int users;

    AwarenessFeeds(ObjectMapper json, int users) {
        this.json = json;
        this.users = users;
    }

    public int users() {
        return users;
    }

    void users(int count) {
        users = count;
    }

    /** The user's record changes in every dataset (a module watched, a score moved, a campaign answered). */
    void change(int user) {
        versions.merge(user, 1, Integer::sum);
    }

    /** Every record a dataset holds now, in the order the API pages them (user data: the campaign's items). */
    public List<ObjectNode> records(String path, String campaign) {
        List<ObjectNode> records = new ArrayList<>(users);
        for (int user = 0; user < users; user++) {
            int version = versions.getOrDefault(user, 0);
            records.add(switch (path) {
                case PERFORMANCE -> performance(user, version);
                case SAFE_SCORE -> safeScore(user, version);
                case WATCHLIST -> watchlist(user, version);
                case USER_DATA -> userData(user, version, CAMPAIGN_IDS.indexOf(campaign));
                default -> throw new IllegalArgumentException(path);
            });
        }
        return records;
    }

    /** The campaigns, as get-campaign lists them. */
    List<ObjectNode> campaigns() {
        List<ObjectNode> campaigns = new ArrayList<>();
        for (int i = 0; i < CAMPAIGN_IDS.size(); i++) {
            ObjectNode campaign = json.createObjectNode();
            campaign.put("id", CAMPAIGN_IDS.get(i));
            campaign.put("name", TEMPLATES[i] + " campaign");
            campaign.put("launchDate", time(i * 30 * 24));
            campaign.put("status", i == 0 ? "completed" : "running");
            campaign.put("numberSent", users);
            campaigns.add(campaign);
        }
        return campaigns;
    }

    private static String email(int user) {
        return FIRST[user % FIRST.length].toLowerCase(java.util.Locale.ROOT) + "." + user + "@example.com";
    }

    private static String name(int user) {
        return FIRST[user % FIRST.length] + " Example-" + user;
    }

    private static String department(int user) {
        return DEPARTMENTS[user % DEPARTMENTS.length];
    }

    private static String userId(int user) {
        return String.format("usr-%06d", user);
    }

    private String time(int hoursAfterEpoch) {
        return EventTimes.mimecastFormat(epoch.plus(hoursAfterEpoch, ChronoUnit.HOURS));
    }

    /** The fields every dataset starts with; SAFE Score calls the address {@code emailAddress}, the others {@code email}. */
    private ObjectNode person(String emailField, int user) {
        ObjectNode record = json.createObjectNode();
        record.put(emailField, email(user));
        record.put("name", name(user));
        record.put("department", department(user));
        return record;
    }

    private ObjectNode performance(int user, int version) {
        ObjectNode record = person("email", user);
        record.put("numIncorrect", user % 3);
        record.put("numCorrect", 4 + user % 5 + version);
        record.put("numNotWatched", Math.max(0, 3 - version));
        record.putObject("userDetails").put("jobTitle", user % 4 == 0 ? "Manager" : "Analyst")
                .put("location", user % 2 == 0 ? "London" : "Boston").put("manager", email(user / 10 * 10));
        record.put("userState", "active");
        record.put("userId", userId(user));
        return record;
    }

    private ObjectNode safeScore(int user, int version) {
        ObjectNode record = person("emailAddress", user);
        record.put("risk", GRADES[Math.max(0, (user + 2) % GRADES.length - version)]);
        record.put("humanError", GRADES[(user + 1) % GRADES.length]);
        record.put("sentiment", GRADES[user % GRADES.length]);
        record.put("engagement", GRADES[Math.max(0, (user + 3) % GRADES.length - version)]);
        record.put("knowledge", GRADES[(user * 7) % GRADES.length]);
        record.put("userState", "active");
        return record;
    }

    private ObjectNode watchlist(int user, int version) {
        ObjectNode record = person("email", user);
        record.put("watchlistCount", user % 4 + version);
        record.put("userState", "active");
        record.put("userId", userId(user));
        return record;
    }

    private ObjectNode userData(int user, int version, int campaign) {
        boolean clicked = (user + campaign) % 3 == 0 || version > 0;
        boolean reported = !clicked && user % 2 == 0;
        int scheduled = 24 + campaign * 48;
        ObjectNode record = json.createObjectNode();
        record.put("timeReported", reported ? time(scheduled + 2) : null);
        record.put("name", name(user));
        record.put("email", email(user));
        record.put("templateName", TEMPLATES[campaign]);
        record.put("department", department(user));
        record.put("status", clicked ? "clicked" : reported ? "reported" : "sent");
        record.put("numCampaignsSent", campaign + 1);
        record.put("numCampaignsClicked", clicked ? 1 : 0);
        record.put("numTrainingModulesAssigned", clicked ? 1 : 0);
        record.put("numCampaignsScanned", 0);
        record.put("numCampaignsClickedScanned", 0);
        record.put("numCorrectAnswers", reported ? 1 : 0);
        record.put("numIncorrectAnswers", clicked ? 1 : 0);
        record.put("userState", "active");
        record.put("timeScheduled", time(scheduled));
        record.putNull("timeScanned");
        record.put("timeSubmitted", clicked && user % 5 == 0 ? time(scheduled + 1) : null);
        record.put("clickedIp", clicked ? "203.0.113." + (user % 250 + 1) : null);
        record.put("reactionTime", (clicked || reported ? 300 + user * 17 % 3000 : 0) + version * 45);
        record.put("timeOpened", clicked || reported ? time(scheduled + 1) : null);
        record.put("timeClicked", clicked ? time(scheduled + 1) : null);
        return record;
    }
}

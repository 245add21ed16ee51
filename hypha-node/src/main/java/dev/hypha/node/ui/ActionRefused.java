package dev.hypha.node.ui;

/** A refusal of one of the dashboard's actions, for the page: the HTTP status and a message naming what was wrong. */
final class ActionRefused extends RuntimeException {
    final int status;

    ActionRefused(int status, String message) {
        super(message);
        this.status = status;
    }
}

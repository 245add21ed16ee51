/**
 * Subnets at work (issue 15): {@link dev.hypha.node.subnet.EpochBook} recomputes any closed epoch from the chain's logs
 * with hypha-incentives' Yuma epoch, {@link dev.hypha.node.subnet.EpochActions} posts, checks, challenges, finalizes
 * and claims, and the two daemons run them: {@link dev.hypha.node.subnet.SubnetValidator} (scores miners, commits and
 * reveals weights each tempo, closes and posts epochs, challenges wrong posts) and
 * {@link dev.hypha.node.subnet.SubnetMiner} (holds a UID and pulls its emission).
 */
package dev.hypha.node.subnet;

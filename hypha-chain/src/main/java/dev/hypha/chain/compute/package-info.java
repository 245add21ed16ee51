/**
 * The data of ComputeMarket (training compute): the resources an order needs and a bid offers, orders with their
 * lease, bids, and their states, as the contract stores them. The client that sends and reads them is
 * {@code dev.hypha.chain.deploy.ComputeMarketClient}.
 */
package dev.hypha.chain.compute;

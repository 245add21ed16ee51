/**
 * Gateway side of model distribution: {@code POST /api/pull} fetches a model from the providers that offer it on
 * chain, block by block from several of them at once, each block checked against its content id, into a partial file
 * whose progress is journalled so an interrupted pull resumes; the finished file is checked whole and adopted by the
 * model store. See {@link dev.hypha.node.gateway.pull.Puller}.
 */
package dev.hypha.node.gateway.pull;

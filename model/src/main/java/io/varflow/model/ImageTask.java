package io.varflow.model;

/**
 * One image to generate: its class label, the seed of its own random stream and how to sample.
 * Tasks of one batch are independent: an image's tokens depend only on its own task.
 */
public record ImageTask(int label, long seed, SamplingParams sampling) {}

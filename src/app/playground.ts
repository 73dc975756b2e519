import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { ApolloServerPlugin } from '@apollo/server';
import { Router } from 'express';

// Placeholder until the offline GraphQL Playground lands (issue 2): no landing page.
export function playgroundPlugin(): ApolloServerPlugin {
  return ApolloServerPluginLandingPageDisabled();
}

export function playgroundAssets(): Router {
  return Router();
}

# unit tests for ttrpc (owner: ttrpc helper)

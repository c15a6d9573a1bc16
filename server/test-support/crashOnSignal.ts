// Preloaded (`--import`) into a server process by tests: SIGUSR2 makes it throw an error nothing
// catches, as a bug in a callback would.
process.on('SIGUSR2', () => {
  throw new Error('crash drill');
});

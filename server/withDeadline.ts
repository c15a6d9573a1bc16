export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
}

/**
 * Settles as `work` does, or rejects with `DeadlineExceeded` once `ms` have passed. The work is
 * not cancelled (nothing can cancel a pending connection attempt or file-system call in general):
 * a caller that gives up exits instead of waiting.
 */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

#!/bin/sh
# Deploys an image by committing its tag to the helm-charts (GitOps) repo;
# Argo CD notices the commit and rolls the Deployment.
#
#   ci/bump-image-tag.sh <helm-charts checkout> <service> <tag> <branch>
#
# Both pipelines run it (Jenkinsfile and .github/workflows/ci.yaml). It needs
# git and yq v4 (mikefarah/yq, which keeps comments and formatting), and a
# checkout whose "origin" may be pushed to without prompting.
#
# Pushes are fast-forward only, never forced. When another pipeline pushed
# first, the push is rejected: we `git pull --rebase` (our one-line commit
# replays on top of theirs) and try again, up to 5 attempts, sleeping a little
# longer each time plus random jitter so racing pipelines spread out. If the
# rebase conflicts (another build of this same service changed the same line),
# we start over from origin and edit again.
set -eu

repo=$1
service=$2
tag=$3
branch=$4
values="charts/$service/values.yaml"
max_attempts=5

cd "$repo"
if [ ! -f "$values" ]; then
  echo "bump-image-tag: $values not found in the helm-charts repo" >&2
  exit 1
fi
git config user.name >/dev/null || git config user.name "slipway-ci"
git config user.email >/dev/null || git config user.email "slipway-ci@users.noreply.github.com"

attempt=1
while :; do
  # strenv() reads the value from the environment, so the tag is never
  # spliced into the yq expression.
  TAG="$tag" yq -i '.image.tag = strenv(TAG)' "$values"
  if ! git diff --quiet -- "$values"; then
    git commit --quiet -m "ci($service): deploy $tag" -- "$values"
  fi
  if [ -z "$(git rev-list "origin/$branch..HEAD")" ]; then
    echo "bump-image-tag: $service is already at $tag on $branch"
    exit 0
  fi
  if git push origin "HEAD:refs/heads/$branch"; then
    echo "bump-image-tag: $service -> $tag pushed to $branch (attempt $attempt)"
    exit 0
  fi
  if [ "$attempt" -ge "$max_attempts" ]; then
    echo "bump-image-tag: giving up after $max_attempts attempts" >&2
    exit 1
  fi
  echo "bump-image-tag: push rejected, rebasing on origin/$branch" >&2
  if ! git pull --quiet --rebase origin "$branch"; then
    git rebase --abort || true
    git reset --quiet --hard "origin/$branch"
  fi
  # Back off attempt*2 s plus 0-2.9 s of jitter (awk: busybox sh has no $RANDOM).
  delay=$(awk -v a="$attempt" 'BEGIN { srand(); printf "%.1f", a * 2 + rand() * 3 }')
  sleep "$delay"
  attempt=$((attempt + 1))
done
